package check

import (
	"context"
	"errors"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/pack/layer"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// configPlan is a plan with a program stand-in at /usr/local/bin/app
// (taken as verified, as Build's Verify would have), a script at /app/run
// for /bin/sh, a busybox-style /bin/sh link to the program, a file that
// is not executable, a python script for env, the base users, and a
// symlinked /data -> srv/data directory.
func configPlan(t *testing.T) *plan.Plan {
	t.Helper()
	p := plan.NewPlan()
	for _, e := range []plan.Entry{
		{Path: "/usr/local/bin/app", Type: plan.TypeFile, Mode: 0o755, Data: []byte("\x7fELF stand-in")},
		{Path: "/app/run", Type: plan.TypeFile, Mode: 0o755, Data: []byte("#!/bin/sh -e\necho hi\n")},
		{Path: "/app/py", Type: plan.TypeFile, Mode: 0o755, Data: []byte("#!/usr/bin/env python3\n")},
		{Path: "/app/envsh", Type: plan.TypeFile, Mode: 0o755, Data: []byte("#!/usr/bin/env sh\n")},
		{Path: "/app/notexec", Type: plan.TypeFile, Mode: 0o644, Data: []byte("#!/bin/sh\n")},
		{Path: "/usr/bin/env", Type: plan.TypeSymlink, Linkname: "/usr/local/bin/app"},
		{Path: "/etc/passwd", Type: plan.TypeFile, Mode: 0o644, Data: []byte(testPasswd)},
		{Path: "/etc/group", Type: plan.TypeFile, Mode: 0o644, Data: []byte(testGroup)},
		{Path: "/srv/data", Type: plan.TypeDir, Mode: 0o755},
		{Path: "/data", Type: plan.TypeSymlink, Linkname: "srv/data"},
	} {
		if err := p.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// TestCheckConfig: pack refuses, before anything is written, a config
// the planned image cannot run, naming each problem and the flag that
// fixes it on one line; what it can run passes.
func TestCheckConfig(t *testing.T) {
	withSh := func(t *testing.T) *plan.Plan {
		p := configPlan(t)
		if err := p.Add(plan.Entry{Path: "/bin/sh", Type: plan.TypeSymlink, Linkname: "../usr/local/bin/app"}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		plan func(*testing.T) *plan.Plan
		cfg  v1.Config
		says []string // empty: it runs
	}{
		{"the program", configPlan, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}}, nil},
		{"by name on PATH", configPlan, v1.Config{Entrypoint: []string{"app"}, Env: []string{DefaultPath}}, nil},
		{"cmd only", configPlan, v1.Config{Cmd: []string{"/usr/local/bin/app", "-v"}}, nil},
		{"missing", configPlan, v1.Config{Entrypoint: []string{"/bin/nothere"}}, []string{"/bin/nothere does not exist in the image", "--entrypoint"}},
		{"a symlink loop", func(t *testing.T) *plan.Plan {
			p := configPlan(t)
			for _, e := range []plan.Entry{{Path: "/bin/a", Type: plan.TypeSymlink, Linkname: "b"}, {Path: "/bin/b", Type: plan.TypeSymlink, Linkname: "a"}} {
				if err := p.Add(e); err != nil {
					t.Fatal(err)
				}
			}
			return p
		}, v1.Config{Entrypoint: []string{"/bin/a"}}, []string{"/bin/a cannot be opened in the image: too many levels of symbolic links", "--entrypoint"}},
		{"missing cmd", configPlan, v1.Config{Cmd: []string{"/bin/nothere"}}, []string{"/bin/nothere does not exist", "--entrypoint"}},
		{"not on PATH", configPlan, v1.Config{Entrypoint: []string{"nothere"}, Env: []string{"PATH=/usr/bin:/bin"}}, []string{"nothere is not on the image's PATH (/usr/bin:/bin)", "--entrypoint"}},
		{"relative to the workdir", configPlan, v1.Config{Entrypoint: []string{"./run"}, WorkingDir: "/app"}, []string{"/bin/sh, the interpreter of /app/run, does not exist", "--add or --include"}},
		{"a directory", configPlan, v1.Config{Entrypoint: []string{"/app"}}, []string{"/app is not a regular file", "--entrypoint"}},
		{"not executable", configPlan, v1.Config{Entrypoint: []string{"/app/notexec"}}, []string{"/app/notexec is not executable", "--entrypoint"}},
		{"no interpreter", configPlan, v1.Config{Entrypoint: []string{"/app/run"}}, []string{"/bin/sh, the interpreter of /app/run, does not exist in the image", "--add or --include the interpreter"}},
		{"interpreter there", withSh, v1.Config{Entrypoint: []string{"/app/run"}}, nil},
		{"env finds nothing", configPlan, v1.Config{Entrypoint: []string{"/app/py"}}, []string{"/app/py runs python3 from the PATH", "--add or --include the interpreter"}},
		{"env finds it", withSh, v1.Config{Entrypoint: []string{"/app/envsh"}}, nil},
		{"user by name", configPlan, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}, User: "nonroot:nobody"}, nil},
		{"user by number", configPlan, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}, User: "1234:5678"}, nil},
		{"unknown user", configPlan, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}, User: "bob"}, []string{"user bob: bob is not in the image's /etc/passwd", "--user"}},
		{"unknown group", configPlan, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}, User: "nonroot:wheel"}, []string{"wheel is not in the image's /etc/group", "--user"}},
		{"workdir", configPlan, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}, WorkingDir: "/srv/data"}, nil},
		{"workdir through a link", configPlan, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}, WorkingDir: "/data"}, nil},
		{"workdir missing", configPlan, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}, WorkingDir: "/nowhere"}, []string{"working directory /nowhere is not a directory in the image", "--workdir"}},
		{"workdir a file", configPlan, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}, WorkingDir: "/etc/passwd"}, []string{"working directory /etc/passwd is not a directory", "--workdir"}},
		{"every problem", configPlan, v1.Config{Entrypoint: []string{"/bin/nothere"}, User: "bob", WorkingDir: "/nowhere"}, []string{"/bin/nothere", "bob", "/nowhere", "--entrypoint", "--user", "--workdir"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Plan(tc.plan(t), &v1.ConfigFile{Config: tc.cfg}, "/usr/local/bin/app")
			if len(tc.says) == 0 {
				if err != nil {
					t.Fatalf("CheckConfig = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckConfig = nil, want an error saying %q", tc.says)
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("%v is not ErrConfig", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line", msg)
			}
			for _, s := range tc.says {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not say %q", msg, s)
				}
			}
		})
	}
}

// TestCheckConfigIsVerifys: what pack refuses in a plan, verify refuses
// in the image made of that plan, with the same words: they are one check.
func TestCheckConfigIsVerifys(t *testing.T) {
	for _, cfg := range []v1.Config{
		{Entrypoint: []string{"/bin/nothere"}},
		{Entrypoint: []string{"/app/run"}},
		{Entrypoint: []string{"/app/py"}},
		{Entrypoint: []string{"/app/notexec"}, User: "nonroot:wheel", WorkingDir: "/nowhere"},
	} {
		p := configPlan(t)
		err := Plan(p, &v1.ConfigFile{Config: cfg}, "/usr/local/bin/app")
		if err == nil {
			t.Fatalf("%+v: CheckConfig = nil", cfg)
		}
		l, err2 := layer.Build(context.Background(), p, layer.Options{TempDir: t.TempDir()})
		if err2 != nil {
			t.Fatal(err2)
		}
		img, err2 := testImage(l, cfg)
		if err2 != nil {
			t.Fatal(err2)
		}
		c, err2 := Image(t.Context(), img, t.TempDir())
		l.Close()
		if err2 != nil {
			t.Fatal(err2)
		}
		if len(c.Problems) == 0 {
			t.Errorf("%+v: pack refuses it (%v), verify does not", cfg, err)
		}
		for _, pr := range c.Problems {
			if !strings.Contains(err.Error(), pr) {
				t.Errorf("%+v: verify says %q, pack %q", cfg, pr, err)
			}
		}
	}
}

// The base users, as the essentials write them.
const (
	testPasswd = "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
	testGroup  = "root:x:0:\nnonroot:x:65532:\nnobody:x:65534:\n"
)

// testImage is a single-layer OCI image of l with the config cfg.
func testImage(l v1.Layer, cfg v1.Config) (v1.Image, error) {
	img, err := mutate.ConfigFile(mutate.MediaType(empty.Image, types.OCIManifestSchema1), &v1.ConfigFile{OS: "linux", Architecture: "amd64", Config: cfg})
	if err != nil {
		return nil, err
	}
	return mutate.AppendLayers(img, l)
}
