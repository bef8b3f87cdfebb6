package gobuild

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Documents are the YAML documents of one input, as ko resolve reads
// them: every string that starts with ko:// or scratchpack:// names an
// import path to build and replace with its image reference.
type Documents []*yaml.Node

// ReadDocuments parses every YAML document of r; name is for errors.
func ReadDocuments(r io.Reader, name string) (Documents, error) {
	dec := yaml.NewDecoder(r)
	var docs Documents
	for {
		var n yaml.Node
		if err := dec.Decode(&n); errors.Is(err, io.EOF) {
			return docs, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: not YAML: %w", name, err)
		}
		docs = append(docs, &n)
	}
}

// Refs returns the references in the documents, each once, in the order
// they first appear.
func (d Documents) Refs() []string {
	var out []string
	seen := map[string]bool{}
	d.walk(func(n *yaml.Node) {
		if !seen[n.Value] {
			seen[n.Value] = true
			out = append(out, n.Value)
		}
	})
	return out
}

// Replace puts resolved[ref] in place of every reference.
func (d Documents) Replace(resolved map[string]string) {
	d.walk(func(n *yaml.Node) {
		if v, ok := resolved[n.Value]; ok {
			n.Value, n.Style, n.Tag = v, 0, "!!str"
		}
	})
}

// Encode writes the documents, separated by ---; none is nothing.
func (d Documents) Encode(w io.Writer) error {
	if len(d) == 0 {
		return nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	for _, n := range d {
		if err := enc.Encode(n); err != nil {
			return err
		}
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// walk calls f on every string scalar that is a reference.
func (d Documents) walk(f func(*yaml.Node)) {
	var visit func(*yaml.Node)
	visit = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && (n.Tag == "!!str" || n.Tag == "") {
			if _, ok := TrimScheme(n.Value); ok {
				f(n)
			}
		}
		for _, c := range n.Content {
			visit(c)
		}
	}
	for _, n := range d {
		visit(n)
	}
}

// ReadFiles reads the documents of every -f argument of ko resolve: a
// file, a directory's .yaml, .yml and .json files in name order (its
// subdirectories too when recursive), or - for stdin.
func ReadFiles(args []string, recursive bool, stdin io.Reader) ([]Documents, error) {
	var paths []string
	for _, arg := range args {
		fi, err := os.Stat(arg)
		switch {
		case arg == "-":
			paths = append(paths, arg)
		case err != nil:
			return nil, err
		case !fi.IsDir():
			paths = append(paths, arg)
		default:
			err := filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
				switch {
				case err != nil:
					return err
				case d.IsDir() && p != arg && !recursive:
					return filepath.SkipDir
				case !d.IsDir() && slices.Contains([]string{".yaml", ".yml", ".json"}, filepath.Ext(p)):
					paths = append(paths, p)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	var out []Documents
	for _, p := range paths {
		r, name := stdin, "stdin"
		if p != "-" {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			r, name = f, p
		}
		d, err := ReadDocuments(r, name)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
