package transport

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/logs"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestPushLogSaysWhatGoContainerregistrySays pushes images as a release
// does (a first push, the same again, a new tag, another repository that
// mounts the blobs, an index) and checks that the push's own log says,
// line for line, what go-containerregistry's process-wide logs.Progress
// says of the same push.
func TestPushLogSaysWhatGoContainerregistrySays(t *testing.T) {
	// not parallel: it points logs.Progress, which is the process's, at a
	// buffer of its own while it pushes
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// This registry keeps blobs for every repository and mounts none:
		// repository b says it has no blob, and mounts any.
		if strings.Contains(r.URL.Path, "/me/b/blobs/") {
			switch d := r.URL.Query().Get("mount"); {
			case r.Method == http.MethodHead:
				http.NotFound(w, r)
				return
			case r.Method == http.MethodPost && d != "":
				w.Header().Set("Location", "/v2/me/b/blobs/"+d)
				w.WriteHeader(http.StatusCreated)
				return
			}
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	host := strings.TrimPrefix(s.URL, "http://")
	var theirs bytes.Buffer
	logs.Progress.SetOutput(&theirs)
	logs.Progress.SetFlags(0)
	t.Cleanup(func() { logs.Progress.SetOutput(io.Discard) })

	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := random.Index(512, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	tag := func(s string) name.Tag {
		t.Helper()
		tg, err := name.NewTag(host + "/" + s)
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	pushed, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		what string
		a    func() Artifact
		tags []string
		want []string // what our log must say, beside agreeing with theirs
	}{
		{"first push", func() Artifact { return img }, []string{"me/a:1"}, []string{"pushed blob: ", fmt.Sprintf("%s/me/a:1: digest: %s size: ", host, pushed)}},
		{"same again", func() Artifact { return img }, []string{"me/a:1"}, []string{"existing manifest: 1@" + pushed.String()}},
		{"new tag", func() Artifact { return img }, []string{"me/a:2"}, []string{"existing blob: "}},
		{"other repository", func() Artifact {
			ri, err := remote.Image(tag("me/a:1"))
			if err != nil {
				t.Fatal(err)
			}
			return ri
		}, []string{"me/b:1"}, []string{"mounted blob: "}},
		{"index, two tags", func() Artifact { return idx }, []string{"me/c:1", "me/c:2"}, []string{"@sha256:"}},
		// one tag there already, the same tag new in another repository
		{"two repositories", func() Artifact { return img }, []string{"me/a:1", "me/d:1"}, []string{"existing manifest: 1@" + pushed.String(), fmt.Sprintf("%s/me/d:1: digest: %s", host, pushed)}},
	} {
		theirs.Reset()
		var mu sync.Mutex
		var ours []string
		logf := func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			ours = append(ours, fmt.Sprintf(format, args...))
		}
		var tags []name.Tag
		for _, s := range step.tags {
			tags = append(tags, tag(s))
		}
		if err := Push(context.Background(), step.a(), tags, Options{Log: logf}); err != nil {
			t.Fatalf("%s: %v", step.what, err)
		}
		want := strings.Split(strings.TrimSpace(theirs.String()), "\n")
		slices.Sort(want)
		slices.Sort(ours)
		if !slices.Equal(ours, want) {
			t.Errorf("%s: our log says\n%s\ngo-containerregistry's says\n%s", step.what, strings.Join(ours, "\n"), strings.Join(want, "\n"))
		}
		for _, w := range step.want {
			if !slices.ContainsFunc(ours, func(l string) bool { return strings.Contains(l, w) }) {
				t.Errorf("%s: no line says %q:\n%s", step.what, w, strings.Join(ours, "\n"))
			}
		}
	}
}
