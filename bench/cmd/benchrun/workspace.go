package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// binDir is where the binaries are built, relative to bench/.
const binDir = "bin"

// workspace locates the two modules.
type workspace struct {
	bench string // absolute path of bench/ (module asynchttpserver.dev/bench)
	root  string // absolute path of the repository root (module asynchttpserver.dev)
}

// findWorkspace walks up from the working directory to bench/'s go.mod.
func findWorkspace() (workspace, error) {
	dir, err := os.Getwd()
	if err != nil {
		return workspace{}, err
	}
	for {
		if isModule(dir, "asynchttpserver.dev/bench") {
			return workspace{bench: dir, root: filepath.Dir(dir)}, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return workspace{}, fmt.Errorf("run benchrun inside bench/ (no go.mod of module asynchttpserver.dev/bench above the working directory)")
		}
		dir = parent
	}
}

// isModule reports whether dir holds the go.mod of module path.
func isModule(dir, path string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	first, _, _ := bytes.Cut(b, []byte("\n"))
	return string(bytes.TrimSpace(first)) == "module "+path
}

// hasGoFiles reports whether dir exists and holds a .go file.
func hasGoFiles(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(m) > 0
}
