package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/pack"
)

type inspectFlags struct {
	json     bool
	insecure bool
}

func (a *app) inspectCommand() command {
	return command{
		name:    "inspect",
		summary: "Show an image's platform, config, digests and files",
		usage:   "inspect [flags] IMAGE",
		examples: `  scratchpack inspect out/hello-go.tar           # a docker-archive (it stores no manifest, so its digest is recomputed)
  scratchpack inspect out/layout:1.2            # an OCI layout, DIR[:TAG]
  scratchpack inspect --json ghcr.io/me/app:1.2 # a registry`,
		flags: func(fs *pflag.FlagSet) func([]string) error {
			var f inspectFlags
			fs.BoolVar(&f.json, "json", false, "print one JSON object per image")
			fs.BoolVar(&f.insecure, "insecure", false, "allow plain http to the registry (automatic for localhost)")
			return func(args []string) error { return a.inspect(&f, args) }
		},
	}
}

func (a *app) inspect(f *inspectFlags, args []string) error {
	if len(args) != 1 {
		return usagef("name one image: a tarball, an OCI layout DIR[:TAG], or a registry reference")
	}
	art, err := pack.Open(a.ctx, args[0], f.insecure)
	if err != nil {
		return err
	}
	var imgs []*pack.Description
	if art.Index != nil {
		im, err := art.Index.IndexManifest()
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		d, _ := art.Index.Digest()
		if !f.json {
			fmt.Fprintf(a.stdout, "%s: index %s, %d images\n", args[0], d, len(im.Manifests))
		}
		for _, m := range im.Manifests {
			img, err := art.Index.Image(m.Digest)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", args[0], m.Digest, err)
			}
			desc, err := pack.Describe(img)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			imgs = append(imgs, desc)
		}
	} else {
		desc, err := pack.Describe(art.Image)
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		imgs = append(imgs, desc)
	}
	for _, d := range imgs {
		if f.json {
			b, err := json.Marshal(d)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s\n", b)
			continue
		}
		printDescription(a.stdout, d)
	}
	return nil
}

func printDescription(w io.Writer, d *pack.Description) {
	fmt.Fprintf(w, "image %s\n", d.Digest)
	fmt.Fprintf(w, "  platform:   %s\n", d.Platform)
	fmt.Fprintf(w, "  config:     %s\n", d.Config)
	fmt.Fprintf(w, "  created:    %s\n", d.Created)
	fmt.Fprintf(w, "  entrypoint: %s\n", quoteList(d.Entrypoint))
	fmt.Fprintf(w, "  cmd:        %s\n", quoteList(d.Cmd))
	fmt.Fprintf(w, "  env:        %s\n", strings.Join(d.Env, " "))
	fmt.Fprintf(w, "  user:       %s\n", d.User)
	fmt.Fprintf(w, "  workdir:    %s\n", d.WorkingDir)
	keys := make([]string, 0, len(d.Labels))
	for k := range d.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  label:      %s=%s\n", k, d.Labels[k])
	}
	for _, l := range d.Layers {
		fmt.Fprintf(w, "  layer %s (%d bytes, %s)\n", l.Digest, l.Size, l.MediaType)
		for _, e := range l.Files {
			link := ""
			if e.Link != "" {
				link = " -> " + e.Link
			}
			fmt.Fprintf(w, "    %s %5d/%-5d %9d %s%s\n", e.Mode, e.UID, e.GID, e.Size, e.Path, link)
		}
	}
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
