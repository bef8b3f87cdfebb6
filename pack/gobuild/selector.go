package gobuild

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Selector is a Kubernetes label selector, as ko resolve -l reads it:
// requirements joined by commas, each key, !key, key=v, key==v, key!=v,
// key in (a,b), key notin (a,b), key>N or key<N. A document matches when
// its metadata.labels meet every requirement.
type Selector []requirement

type requirement struct {
	key, op string // op: exists, !, =, !=, in, notin, >, <
	values  []string
}

// ParseSelector parses a label selector; "" selects every document.
func ParseSelector(s string) (Selector, error) {
	var sel Selector
	for _, term := range splitTerms(s) {
		term = strings.TrimSpace(term)
		if term == "" {
			return nil, fmt.Errorf("selector %q: an empty requirement", s)
		}
		r, err := parseRequirement(term)
		if err != nil {
			return nil, fmt.Errorf("selector %q: %w", s, err)
		}
		sel = append(sel, r)
	}
	return sel, nil
}

// splitTerms splits at the commas outside parentheses.
func splitTerms(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out, start = append(out, s[start:i]), i+1
			}
		}
	}
	return append(out, s[start:])
}

func parseRequirement(t string) (requirement, error) {
	if k, ok := strings.CutPrefix(t, "!"); ok {
		k = strings.TrimSpace(k)
		return requirement{key: k, op: "!"}, keyErr(k)
	}
	for _, op := range []string{"!=", "==", "=", ">", "<"} {
		if k, v, ok := strings.Cut(t, op); ok {
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if op == "==" {
				op = "="
			}
			if op == ">" || op == "<" {
				if _, err := strconv.ParseInt(v, 10, 64); err != nil {
					return requirement{}, fmt.Errorf("%q: %s wants an integer", t, op)
				}
			}
			return requirement{key: k, op: op, values: []string{v}}, keyErr(k)
		}
	}
	if f := strings.Fields(t); len(f) >= 2 && (f[1] == "in" || f[1] == "notin") {
		rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t[len(f[0]):]), f[1]))
		if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
			return requirement{}, fmt.Errorf("%q: %s wants (VALUE,...)", t, f[1])
		}
		var vals []string
		for _, v := range strings.Split(rest[1:len(rest)-1], ",") {
			vals = append(vals, strings.TrimSpace(v))
		}
		return requirement{key: f[0], op: f[1], values: vals}, keyErr(f[0])
	}
	if strings.ContainsAny(t, " ()") {
		return requirement{}, fmt.Errorf("%q is not a requirement (KEY, !KEY, KEY=V, KEY!=V, KEY in (A,B), KEY notin (A,B))", t)
	}
	return requirement{key: t, op: "exists"}, keyErr(t)
}

func keyErr(k string) error {
	if k == "" || strings.ContainsAny(k, " ()!=<>,") {
		return fmt.Errorf("%q is not a label key", k)
	}
	return nil
}

// matches reports whether labels meet every requirement.
func (s Selector) matches(labels map[string]string) bool {
	for _, r := range s {
		v, ok := labels[r.key]
		var m bool
		switch r.op {
		case "exists":
			m = ok
		case "!":
			m = !ok
		case "=":
			m = ok && v == r.values[0]
		case "!=":
			m = !ok || v != r.values[0]
		case "in":
			m = ok && slices.Contains(r.values, v)
		case "notin":
			m = !ok || !slices.Contains(r.values, v)
		case ">", "<":
			n, err := strconv.ParseInt(v, 10, 64)
			want, _ := strconv.ParseInt(r.values[0], 10, 64)
			m = ok && err == nil && (r.op == ">" && n > want || r.op == "<" && n < want)
		}
		if !m {
			return false
		}
	}
	return true
}

// Select keeps the documents the selector matches, as ko's -l does: a
// null document is dropped; one that is not a Kubernetes object (no
// apiVersion and kind) is an error; a List keeps the items that match
// and is kept when one does. An empty selector keeps every document.
func (d Documents) Select(s Selector) (Documents, error) {
	if len(s) == 0 {
		return d, nil
	}
	var out Documents
	for _, doc := range d {
		n := doc
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			n = n.Content[0]
		}
		if n.Tag == "!!null" || n.Kind == yaml.DocumentNode {
			continue
		}
		kind, err := objectKind(n)
		if err != nil {
			return nil, err
		}
		if kind != "List" {
			if s.matches(objectLabels(n)) {
				out = append(out, doc)
			}
			continue
		}
		items := mapValue(n, "items")
		if items == nil || items.Kind != yaml.SequenceNode {
			return nil, errors.New("a List without items")
		}
		var kept []*yaml.Node
		for _, it := range items.Content {
			if _, err := objectKind(it); err != nil {
				return nil, err
			}
			if s.matches(objectLabels(it)) {
				kept = append(kept, it)
			}
		}
		items.Content = kept
		if len(kept) > 0 {
			out = append(out, doc)
		}
	}
	return out, nil
}

// objectKind is a Kubernetes object's kind.
func objectKind(n *yaml.Node) (string, error) {
	if n.Kind == yaml.MappingNode && mapValue(n, "apiVersion") != nil {
		if k := mapValue(n, "kind"); k != nil && k.Kind == yaml.ScalarNode {
			return k.Value, nil
		}
	}
	return "", errors.New("a document is not a Kubernetes object (apiVersion and kind), so -l cannot select it")
}

// objectLabels are an object's metadata.labels.
func objectLabels(n *yaml.Node) map[string]string {
	out := map[string]string{}
	if l := mapValue(mapValue(n, "metadata"), "labels"); l != nil {
		for i := 0; i+1 < len(l.Content); i += 2 {
			out[l.Content[i].Value] = l.Content[i+1].Value
		}
	}
	return out
}

// mapValue is the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
