package gobuild

import (
	"fmt"
	"strings"
	"text/template"
)

// hasTemplate reports whether any string of list is a template.
func hasTemplate(list []string) bool {
	for _, s := range list {
		if strings.Contains(s, "{{") {
			return true
		}
	}
	return false
}

// expand applies ko's template fields ({{.Env.X}}, {{.Git.Tag}},
// {{.Date}}, ...) to each string of list. An unset {{.Env.X}} is empty.
func expand(list []string, data map[string]any) ([]string, error) {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if !strings.Contains(s, "{{") {
			out = append(out, s)
			continue
		}
		t, err := template.New("").Option("missingkey=zero").Parse(s)
		if err != nil {
			return nil, fmt.Errorf("template %q: %w", s, err)
		}
		var b strings.Builder
		if err := t.Execute(&b, data); err != nil {
			return nil, fmt.Errorf("template %q: %w", s, err)
		}
		out = append(out, b.String())
	}
	return out, nil
}
