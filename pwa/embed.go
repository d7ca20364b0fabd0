// Package pwa embeds the web front end so the binary serves it with the API.
package pwa

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

//go:embed static
var static embed.FS

// Handler serves the front end's files.
func Handler() fiber.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return filesystem.New(filesystem.Config{Root: http.FS(sub), Index: "index.html", MaxAge: 0})
}
