// Package pwa embeds the web front end so the binary serves it with the API.
//
// Everything under static/ is plain files: ES modules, CSS, SVG, PNG and the
// committed copy of nhsuk-frontend (make pwa-assets), so `go build` needs no
// npm. The handler serves them with the right types and cache headers,
// gzipped when the client accepts it, and serves the app shell for the
// app's own paths (/manage/2, /board?home=7) so links and notifications open
// straight onto a screen.
package pwa

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"path"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

//go:embed static
var static embed.FS

type asset struct {
	body, gz    []byte
	ctype, etag string
	cache       string
}

// types the standard library may not know, or may know differently per OS.
var types = map[string]string{
	".html":        "text/html; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
}

// appRoutes are the app's own screens, answered with the shell.
var appRoutes = []string{"signin", "manage", "board", "alerts", "overview"}

func load() map[string]*asset {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	assets := map[string]*asset{}
	err = fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		ext := path.Ext(name)
		ctype := types[ext]
		if ctype == "" {
			ctype = mime.TypeByExtension(ext)
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		sum := sha256.Sum256(body)
		a := &asset{body: body, ctype: ctype, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
			// Revalidate everything: the service worker keeps the offline
			// copy, and an ETag makes revalidation a 304.
			cache: "no-cache"}
		if strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "json") || strings.Contains(ctype, "svg") {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if buf.Len() < len(body) {
				a.gz = buf.Bytes()
			}
		}
		assets[name] = a
		return nil
	})
	if err != nil {
		panic(err)
	}
	return assets
}

// Handler serves the front end's files; other requests pass on.
func Handler() fiber.Handler {
	assets := load()
	shell := assets["index.html"]
	return func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
			return c.Next()
		}
		p := c.Path()
		if strings.HasPrefix(p, "/api/") {
			return c.Next()
		}
		name := strings.TrimPrefix(path.Clean("/"+p), "/")
		a := assets[name]
		if name == "" {
			a = shell
		}
		if a == nil {
			first, _, _ := strings.Cut(name, "/")
			for _, r := range appRoutes {
				if first == r {
					a = shell
				}
			}
		}
		if a == nil {
			return c.Next()
		}
		c.Set(fiber.HeaderContentType, a.ctype)
		c.Set(fiber.HeaderCacheControl, a.cache)
		c.Set(fiber.HeaderETag, a.etag)
		c.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
		if name == "sw.js" {
			// The worker's scope is the whole origin; no-cache makes the
			// browser check for a new worker on every navigation.
			c.Set("Service-Worker-Allowed", "/")
		}
		if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && strings.Contains(inm, a.etag) {
			return c.SendStatus(fiber.StatusNotModified)
		}
		body := a.body
		if a.gz != nil && strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
			c.Set(fiber.HeaderContentEncoding, "gzip")
			body = a.gz
		}
		if c.Method() == fiber.MethodHead {
			c.Set(fiber.HeaderContentLength, strconv.Itoa(len(body)))
			return nil
		}
		return c.Send(body)
	}
}
