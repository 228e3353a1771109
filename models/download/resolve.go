// Package download fetches hub files: a HEAD on resolve/<rev>/<path> for the
// commit, etag and size, then up to 16 ranged GETs in parallel from the storage
// URL into a sparse <etag>.incomplete file whose part state is persisted, so a
// killed app resumes where each part stopped. The finished file is hashed and
// compared with its etag before it is renamed into blobs/.
package download

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

// Meta is what a HEAD on the resolve URL says about one file.
type Meta struct {
	Repo, Path string
	Commit     string // X-Repo-Commit
	Etag       string // X-Linked-Etag, else ETag; sha256 for LFS files, git sha1 otherwise
	Size       int64  // X-Linked-Size, else Content-Length
	URL        string // where the bytes come from (storage URL after the redirect)

	hubHost string // host of the resolve URL, for the token rule
}

// AuthError is a 401/403: the repo is gated or private.
type AuthError struct {
	Repo     string
	Status   int
	HasToken bool
}

func (e *AuthError) Error() string {
	if e.HasToken {
		return fmt.Sprintf("this model needs licence acceptance for %s: accept the licence on huggingface.co/%s with the account of your token (HTTP %d)", e.Repo, e.Repo, e.Status)
	}
	return fmt.Sprintf("this model needs a Hugging Face token / licence acceptance for %s: sign in (set HF_TOKEN or run `hf auth login`) and accept the licence on huggingface.co/%s (HTTP %d)", e.Repo, e.Repo, e.Status)
}

// NotFoundError is a 404; Commit is set when the repo exists at that commit
// but the file does not (the hub sends X-Repo-Commit then).
type NotFoundError struct {
	Repo, Rev, Path, Commit string
}

func (e *NotFoundError) Error() string {
	if e.Commit != "" {
		return fmt.Sprintf("%s has no file %s at %s (commit %s)", e.Repo, e.Path, e.Rev, e.Commit)
	}
	return fmt.Sprintf("%s or its revision %s was not found on the hub (file %s)", e.Repo, e.Rev, e.Path)
}

// StatusError is any other unexpected HTTP answer.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string { return fmt.Sprintf("HTTP %d from %s", e.Status, e.URL) }

func trimEtag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "W/")
	return strings.Trim(s, `"`)
}

// Resolve asks the hub where repo/path at rev is, like huggingface_hub's
// get_hf_file_metadata: same-host redirects (renamed repos) are followed, a
// redirect to another host is the storage URL and its headers are the metadata.
func (d *Downloader) Resolve(ctx context.Context, endpoint, repo, rev, p string) (Meta, error) {
	if err := hfcache.CheckRepo(repo); err != nil {
		return Meta{}, err
	}
	if err := hfcache.CheckPath(p); err != nil {
		return Meta{}, err
	}
	u := strings.TrimRight(endpoint, "/") + "/" + repo + "/resolve/" + url.PathEscape(rev) + "/" + escapePath(p)
	cur, err := url.Parse(u)
	if err != nil {
		return Meta{}, fmt.Errorf("bad hub endpoint %q: %w", endpoint, err)
	}
	origin := cur.Host
	ctx, cancel := context.WithTimeout(ctx, d.cfg.MetaTimeout)
	defer cancel()
	for hops := 0; ; hops++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, cur.String(), nil)
		if err != nil {
			return Meta{}, err
		}
		req.Header.Set("Accept-Encoding", "identity")
		d.auth(req, origin)
		resp, err := d.noRedirect.Do(req)
		if err != nil {
			return Meta{}, fmt.Errorf("could not reach the model hub for %s/%s: %s", repo, p, d.cfg.redact(err.Error()))
		}
		resp.Body.Close()
		h := resp.Header
		switch {
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return Meta{}, &AuthError{Repo: repo, Status: resp.StatusCode, HasToken: d.cfg.Token != ""}
		case resp.StatusCode == http.StatusNotFound:
			c := h.Get("X-Repo-Commit")
			if !hfcache.IsCommit(c) {
				c = ""
			}
			return Meta{}, &NotFoundError{Repo: repo, Rev: rev, Path: p, Commit: c}
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := cur.Parse(h.Get("Location"))
			if err != nil || h.Get("Location") == "" {
				return Meta{}, fmt.Errorf("hub sent a redirect without a usable Location for %s/%s", repo, p)
			}
			if loc.Host == cur.Host && hops < 5 {
				cur = loc
				continue
			}
			m := Meta{Repo: repo, Path: p, Commit: h.Get("X-Repo-Commit"), Etag: trimEtag(h.Get("X-Linked-Etag")), URL: loc.String()}
			if m.Etag == "" {
				m.Etag = trimEtag(h.Get("ETag"))
			}
			// The redirect's own Content-Length is not the file's: no
			// X-Linked-Size means no size (check says so), never 0 bytes.
			m.Size = parseSize(h.Get("X-Linked-Size"), -1)
			m.hubHost = origin
			return m.check()
		case resp.StatusCode == http.StatusOK:
			m := Meta{Repo: repo, Path: p, Commit: h.Get("X-Repo-Commit"), Etag: trimEtag(h.Get("X-Linked-Etag")), URL: cur.String()}
			if m.Etag == "" {
				m.Etag = trimEtag(h.Get("ETag"))
			}
			m.Size = parseSize(h.Get("X-Linked-Size"), resp.ContentLength)
			m.hubHost = origin
			return m.check()
		default:
			return Meta{}, &StatusError{URL: d.cfg.redact(cur.String()), Status: resp.StatusCode}
		}
	}
}

func (m Meta) check() (Meta, error) {
	if !hfcache.IsCommit(m.Commit) {
		return Meta{}, fmt.Errorf("hub answer for %s/%s has no valid X-Repo-Commit (%q)", m.Repo, m.Path, m.Commit)
	}
	if !hfcache.ValidEtag(m.Etag) {
		return Meta{}, fmt.Errorf("hub answer for %s/%s has an etag that cannot name a blob (%q)", m.Repo, m.Path, m.Etag)
	}
	if m.Size < 0 {
		return Meta{}, fmt.Errorf("hub answer for %s/%s has no size", m.Repo, m.Path)
	}
	return m, nil
}

// parseSize reads a size header; missing or malformed gives def.
func parseSize(v string, def int64) int64 {
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// auth adds the token only for the hub's own host: a storage host elsewhere
// gets signed URLs and must never see it.
func (d *Downloader) auth(req *http.Request, origin string) {
	if d.cfg.Token != "" && req.URL.Host == origin {
		req.Header.Set("Authorization", "Bearer "+d.cfg.Token)
	}
}
