// Package readme checks the project's documentation from a user's side:
// every Go program in README.md and docs/*.md must build and pass go vet in
// a module of its own that requires this checkout, as a user's would. (The
// project's own vet treats its _test packages as local and misses what a
// user's vet reports, such as unkeyed fields of our struct types.)
package readme

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

func TestDocumentedProgramsBuildAndVetInAUsersModule(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	docs = append([]string{filepath.Join(root, "README.md")}, docs...)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	programs := 0
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range goBlock.FindAllStringSubmatch(string(text), -1) {
			src := m[1]
			if !strings.HasPrefix(strings.TrimSpace(src), "package main") {
				continue
			}
			programs++
			name := filepath.Base(doc) + "#" + string(rune('0'+i))
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				mod := "module userprogram\n\ngo 1.26.0\n\nrequire asynchttpserver.dev v0.0.0\n\nreplace asynchttpserver.dev => " + root + "\n"
				for f, b := range map[string]string{"go.mod": mod, "go.sum": string(sum), "main.go": src} {
					if err := os.WriteFile(filepath.Join(dir, f), []byte(b), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				for _, args := range [][]string{{"vet", "."}, {"build", "-o", os.DevNull, "."}} {
					cmd := exec.Command("go", args...)
					cmd.Dir = dir
					cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("go %s in a user's module: %v\n%s\n--- the program:\n%s", args[0], err, out, src)
					}
				}
			})
		}
	}
	if programs == 0 {
		t.Fatal("no Go program found in the documentation")
	}
}
