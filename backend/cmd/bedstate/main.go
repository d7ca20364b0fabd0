// Command bedstate runs the Bedstate service and its admin commands.
package main

import (
	"os"

	"github.com/bedstate/bedstate/backend/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
