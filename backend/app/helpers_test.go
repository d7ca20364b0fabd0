package app

import (
	"context"
	"os"
	"testing"
)

var bg = context.Background()

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
