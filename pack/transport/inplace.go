package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/internal/stale"
	"github.com/scratchpack/scratchpack/internal/tarblock"
)

// linkable is a layer whose blob lies in a file that can take a second
// name, with room for a tar header before the blob (pack's Layer).
type linkable interface {
	LinkBlob(path string) (offset int64, err error)
}

// stageInPlace stages a docker-archive at path around the image's first
// layer where its blob already lies: the layer's file gets a second name
// beside path (a hard link), the layer's tar header goes in the room
// before the blob, the config and manifest after it. A 150 MB blob is
// then neither read nor written again, where a copy, even the kernel's,
// dirtied 150 MB more of the page cache and was throttled with it. It
// returns nil and no error when the layer cannot be placed (another
// file system, a layer of another kind, a header that does not fit), for
// the caller to copy instead.
func stageInPlace(ctx context.Context, path string, img v1.Image, tags []name.Tag) (*staged, error) {
	layers, err := img.Layers()
	if err != nil || len(layers) == 0 {
		return nil, nil
	}
	l, ok := layers[0].(linkable)
	if !ok {
		return nil, nil
	}
	entry, err := layerEntry(layers[0])
	if err != nil {
		return nil, nil
	}
	size, err := layers[0].Size()
	if err != nil {
		return nil, nil
	}
	hdr, err := tarblock.Header(fileHeader(entry, size))
	if err != nil {
		return nil, nil
	}
	dir, prefix := tempBeside(path)
	var tmp string
	var offset int64
	for try := 0; ; try++ {
		tmp = filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64()%1e10, 10))
		if offset, err = l.LinkBlob(tmp); err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || try == 10 {
			return nil, nil
		}
	}
	if offset != int64(len(hdr)) { // a header longer than the room: a layer of 8 GiB or more
		os.Remove(tmp)
		return nil, nil
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY, 0)
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	stale.Hold(f)
	_, err = f.WriteAt(hdr, 0)
	if err == nil {
		_, err = f.Seek(offset+size, io.SeekStart)
	}
	if err == nil {
		err = tarballTo(ctx, f, img, tags, true)
	}
	return stageTemp(f, tmp, path, err)
}
