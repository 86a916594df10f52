package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// buildResult says what was built into bin/.
type buildResult struct {
	ours      bool   // bin/hello was built from ../cmd/hello
	httpbench string // path of the httpbench binary, "" if none
	notes     []string
}

// build compiles the peers, costclient and idleclient (bench's module), ours and, when
// wanted, httpbench (the root module). A peer that does not build is an
// error; ours and httpbench are optional while they are being written.
func build(ctx context.Context, cfg config, ws workspace, wantHTTPBench bool) (buildResult, error) {
	var res buildResult
	abs := filepath.Join(ws.bench, binDir)
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return res, err
	}
	log.Printf("building peers, costclient and idleclient into %s/", binDir)
	if err := goBuild(ctx, ws.bench, abs+"/", "./servers/...", "./cmd/costclient", "./cmd/idleclient"); err != nil {
		return res, err
	}
	res.ours, res.notes = buildOptional(ctx, ws, "hello", "the project's server (ours)")
	if !wantHTTPBench {
		return res, nil
	}
	if cfg.httpbench != "" {
		res.httpbench = cfg.httpbench
		return res, nil
	}
	ok, notes := buildOptional(ctx, ws, "httpbench", "the project's load generator")
	res.notes = append(res.notes, notes...)
	if ok {
		res.httpbench = filepath.Join(binDir, "httpbench")
	}
	return res, nil
}

// buildOptional builds ../cmd/<name> into bin/<name>. It returns false and
// a note saying why when the command does not exist or does not build.
func buildOptional(ctx context.Context, ws workspace, name, what string) (bool, []string) {
	if !hasGoFiles(filepath.Join(ws.root, "cmd", name)) {
		note := fmt.Sprintf("%s skipped: ../cmd/%s does not exist yet", what, name)
		log.Print(note)
		return false, []string{note}
	}
	log.Printf("building ../cmd/%s into %s/%s", name, binDir, name)
	out := filepath.Join(ws.bench, binDir, name)
	if err := goBuild(ctx, ws.root, out, "./cmd/"+name); err != nil {
		note := fmt.Sprintf("%s skipped: ../cmd/%s does not build: %s", what, name, firstLines(err.Error(), 3))
		log.Print(note)
		return false, []string{note}
	}
	return true, nil
}

// goBuild runs `go build -o out pkgs...` in dir.
func goBuild(ctx context.Context, dir, out string, pkgs ...string) error {
	args := append([]string{"build", "-o", out}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s (in %s): %w\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return nil
}

// firstLines returns the first n lines of s, joined by " / ".
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, " / ")
}
