package gobuild

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// gitInfo is what ko's templates know of the checkout: {{.Git.Tag}},
// {{.Git.ShortCommit}}, and the rest of TemplateValue's keys.
type gitInfo struct {
	Branch, Tag, ShortCommit, FullCommit string
	CommitDate                           time.Time
	Dirty                                bool
}

// readGit reads the checkout that holds dir with git; outside one, or
// without git, every value is empty and the tag is v0.0.0, as in ko.
func readGit(ctx context.Context, dir string) gitInfo {
	git := func(args ...string) string {
		cmd := command(ctx, "git", args...)
		cmd.Dir = dir
		out, err := output(cmd)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	i := gitInfo{Tag: "v0.0.0"}
	if git("rev-parse", "--is-inside-work-tree") != "true" {
		return i
	}
	i.Branch = git("rev-parse", "--abbrev-ref", "HEAD")
	i.ShortCommit = git("show", "--format=%h", "--no-patch", "HEAD")
	i.FullCommit = git("show", "--format=%H", "--no-patch", "HEAD")
	if ct, err := strconv.ParseInt(git("show", "--format=%ct", "--no-patch", "HEAD"), 10, 64); err == nil {
		i.CommitDate = time.Unix(ct, 0)
	}
	if tag := git("describe", "--tags", "--abbrev=0", "HEAD"); tag != "" {
		i.Tag = tag
	}
	i.Dirty = git("status", "--porcelain") != ""
	return i
}

// templateValue is the map ko gives templates as .Git.
func (i gitInfo) templateValue() map[string]any {
	state := "clean"
	if i.Dirty {
		state = "dirty"
	}
	return map[string]any{
		"Branch": i.Branch, "Tag": i.Tag, "ShortCommit": i.ShortCommit, "FullCommit": i.FullCommit,
		"CommitDate": i.CommitDate.UTC().Format(time.RFC3339), "CommitTimestamp": i.CommitDate.UTC().Unix(),
		"IsDirty": i.Dirty, "IsClean": !i.Dirty, "TreeState": state,
	}
}

// gitRemote is the URL of the checkout's remote that holds dir: origin,
// else the first; "" outside a checkout or with none.
func gitRemote(ctx context.Context, dir string) string {
	git := func(args ...string) string {
		cmd := command(ctx, "git", args...)
		cmd.Dir = dir
		out, err := output(cmd)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	remotes := strings.Fields(git("remote"))
	if len(remotes) == 0 {
		return ""
	}
	name := remotes[0]
	if slices.Contains(remotes, "origin") {
		name = "origin"
	}
	return git("remote", "get-url", name)
}

// sourceURL is the web address of a git remote, for the source label:
// https://HOST/PATH without credentials, a port or .git, from an https,
// http, ssh, git or scp-like (git@HOST:PATH) remote; "" for a local one.
func sourceURL(remote string) string {
	var host, p string
	if u, err := url.Parse(remote); err == nil && u.Host != "" {
		switch u.Scheme {
		case "https", "http", "ssh", "git", "git+ssh", "ssh+git":
			host, p = u.Hostname(), u.Path
		default:
			return ""
		}
	} else if at, rest, ok := strings.Cut(remote, ":"); ok && !strings.Contains(remote, "://") && !strings.Contains(at, "/") && rest != "" {
		_, host, _ = strings.Cut(at, "@") // git@github.com:owner/repo.git
		if host == "" {
			host = at
		}
		p = rest
	} else {
		return ""
	}
	p = strings.TrimSuffix(strings.Trim(p, "/"), ".git")
	if host == "" || p == "" || strings.ContainsAny(host+p, " \t\n\"'<>\\") {
		return ""
	}
	return "https://" + host + "/" + p
}
