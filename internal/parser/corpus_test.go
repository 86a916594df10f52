package parser

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The parser's RFC cases live in testdata/corpus as readable Markdown, one
// file per area and one ### heading per case (the raw request, one sentence
// of why, the expected outcome), in the manner of llhttp's test corpus; see
// the README there for the format. TestCorpus runs them, the fast-path
// equivalence test and the fuzz targets take them as inputs, and the design
// text links to them by heading.

// corpusFloor is how many cases the corpus held when the Go tables moved
// into it (151 head cases, 47 smuggling vectors, 16 limit edges, 54 chunked
// bodies). Cases may be added, never lost: raise it when adding.
const corpusFloor = 268

// corpus is the corpus, read once per test binary.
var corpus = sync.OnceValues(loadCorpus)

// corpusCases returns the corpus or fails tb with the first malformed case.
func corpusCases(tb testing.TB) []corpusCase {
	tb.Helper()
	cases, err := corpus()
	if err != nil {
		tb.Fatal(err)
	}
	return cases
}

// limits is what a head case is parsed with: roomy test limits, so that the
// case is about its rule and not about a limit, unless it names its own.
func (c *corpusCase) limits() Limits {
	if c.hasLim {
		return c.lim
	}
	return testLimits
}

// TestCorpus runs every case whole, split at every byte, fed a byte at a
// time, and moved to a fresh buffer between calls, and checks the outcome.
// Run one case by its anchor: go test -run 'TestCorpus/host.md/two-host-lines-32'.
func TestCorpus(t *testing.T) {
	cases := corpusCases(t)
	if len(cases) < corpusFloor {
		t.Fatalf("the corpus has %d cases, fewer than the %d it had: was a file lost?", len(cases), corpusFloor)
	}
	for _, c := range cases {
		t.Run(c.file+"/"+c.anchor, func(t *testing.T) {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("the case is at %s: %s", c.where(), c.heading)
				}
			})
			switch c.kind {
			case "http":
				runHeadCase(t, &c)
			case "chunked":
				runChunkCase(t, &c)
			}
		})
	}
}

// runHeadCase checks a request head against its expected outcome.
func runHeadCase(t *testing.T, c *corpusCase) {
	got := checkSplits(t, c.limits(), c.in)
	switch {
	case c.status != 0:
		if got.status != c.status {
			t.Fatalf("%q: got %v, want status %d", c.in, got, c.status)
		}
	case c.incomplete:
		if got.status != 0 || got.n != 0 {
			t.Fatalf("%q: got %v, want incomplete", c.in, got)
		}
	default:
		if got.status != 0 || got.n != len(c.in) {
			t.Fatalf("%q: got %v, want all %d bytes accepted as one head", c.in, got, len(c.in))
		}
	}
	for _, w := range c.want {
		if !hasField(got.desc, w) {
			t.Errorf("%q:\n got %s\nwant it to hold %s", c.in, got.desc, w)
		}
	}
}

// runChunkCase checks a chunked body against its expected outcome.
func runChunkCase(t *testing.T, c *corpusCase) {
	got := checkChunkSplits(t, c.lim.MaxBody, c.in)
	switch {
	case c.status != 0:
		if got.status != c.status {
			t.Fatalf("%q: got %v, want status %d", c.in, got, c.status)
		}
	case c.incomplete:
		if got.status != 0 || got.done {
			t.Fatalf("%q: got %v, want incomplete", c.in, got)
		}
	default:
		if got.status != 0 || !got.done || got.body != c.body {
			t.Fatalf("%q: got %v, want body %q", c.in, got, c.body)
		}
		if want := len(c.in) - len(c.rest); got.consumed != want {
			t.Fatalf("%q: consumed %d, want %d (leaving %q)", c.in, got.consumed, want, c.rest)
		}
	}
}

// hasField reports whether w occurs in desc as whole fields: starting at the
// start, after a space or after the [ that opens the header list, and ending
// at the end, before a space or before the closing ], so that cl=5 does not
// match cl=50.
func hasField(desc, w string) bool {
	for i := 0; ; i++ {
		k := strings.Index(desc[i:], w)
		if k < 0 {
			return false
		}
		i += k
		j := i + len(w)
		if (i == 0 || desc[i-1] == ' ' || desc[i-1] == '[') && (j == len(desc) || desc[j] == ' ' || desc[j] == ']') {
			return true
		}
	}
}

// corpusLink matches a link into the corpus, from anywhere in the
// repository: the file and, optionally, the anchor.
var corpusLink = regexp.MustCompile(`testdata/corpus/([A-Za-z0-9._-]+\.md)(?:#([A-Za-z0-9_-]*))?`)

// localLink matches a relative Markdown link between corpus files.
var localLink = regexp.MustCompile(`\]\(([A-Za-z0-9._-]+\.md)(?:#([A-Za-z0-9_-]*))?\)`)

// Every link into the corpus, from the design text, the repository's
// Markdown, this package's Go files and the corpus itself, names a file and
// heading that exist, so the anchors the design text quotes stay stable.
func TestCorpusLinks(t *testing.T) {
	corpusCases(t) // the files parse, so their headings are what GitHub shows
	anchors := map[string]map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.md"))
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		anchors[filepath.Base(f)] = markdownAnchors(string(text))
	}
	check := func(src string, re *regexp.Regexp) {
		text, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(text), -1) {
			a, ok := anchors[m[1]]
			switch {
			case !ok:
				t.Errorf("%s links to %s, which is not in %s", src, m[0], corpusDir)
			case m[2] != "" && !a[m[2]]:
				t.Errorf("%s links to %s: %s has no heading with that anchor", src, m[0], m[1])
			}
		}
	}
	var sources []string
	for _, pat := range []string{"../../docs/*.md", "../../*.md", "*.go"} {
		m, _ := filepath.Glob(pat)
		sources = append(sources, m...)
	}
	for _, src := range sources {
		check(src, corpusLink)
	}
	for _, f := range files {
		check(f, corpusLink)
		check(f, localLink)
	}
}

// markdownAnchors returns the anchors of a Markdown text's headings, outside
// fenced blocks (a fence closes only with at least as many backticks as
// opened it), with GitHub's -1, -2 suffixes for repeated ones.
func markdownAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	fence := 0 // backticks of the open fence; 0 outside blocks
	for _, l := range strings.Split(text, "\n") {
		if n := len(l) - len(strings.TrimLeft(l, "`")); n >= 3 {
			switch {
			case fence == 0:
				fence = n
			case n >= fence && n == len(l):
				fence = 0
			}
			continue
		}
		if fence != 0 || !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(l, "#"))
		a := githubAnchor(h)
		for k := 1; anchors[a]; k++ {
			a = githubAnchor(h) + "-" + strconv.Itoa(k)
		}
		anchors[a] = true
	}
	return anchors
}

// The loader refuses what it cannot read, naming the line, so that a typo
// fails the build instead of silently dropping a case.
func TestCorpusLoaderIsStrict(t *testing.T) {
	good := "# T\n\nIntro.\n\n### A case (§3)\n\nWhy it is so.\n\n```http\nGET / HTTP/1.1\nHost: h\n\n```\n\n```expect\nok\n```\n"
	if cases, err := parseCorpusFile("t.md", good); err != nil || len(cases) != 1 ||
		!bytes.Equal(cases[0].in, []byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n")) || cases[0].anchor != "a-case-3" {
		t.Fatalf("good file: %v %+v", err, cases)
	}
	for _, c := range []struct{ from, to, line string }{
		{"### A case (§3)", "### A case", ":5:"},                      // no § reference
		{"Why it is so.", "Why it is so", ":7:"},                      // no full stop
		{"Why it is so.", "Why. It is so.", ":7:"},                    // two sentences
		{"```http", "```htp", ":9:"},                                  // unknown block
		{"Host: h\n", "Host: h \n", ":11:"},                           // raw trailing SP
		{"Host: h\n", "Host:\th\n", ":11:"},                           // raw HTAB
		{"Host: h\n", "Host: \\q\n", ":11:"},                          // unknown escape
		{"Host: h\n", "Host: \\{3*h\n", ":11:"},                       // unclosed repetition
		{"Host: h\n", "Host: \\{maxFoo*h}\n", ":11:"},                 // unknown constant
		{"```expect\nok", "```expect\n200 OK", ":16:"},                // not a parser status
		{"```expect\nok", "```expect\n400 Bad", ":16:"},               // wrong reason phrase
		{"```expect\nok", "```expect\n400 Bad Request\ncl=1", ":17:"}, // fields after an error
		{"ok\n```\n", "ok\n", ":15:"},                                 // block never closed
		{"ok\n```\n", "ok\n```\nstray\n", ":18:"},                     // text after the case
	} {
		bad := strings.Replace(good, c.from, c.to, 1)
		_, err := parseCorpusFile("t.md", bad)
		if err == nil || !strings.Contains(err.Error(), "t.md"+c.line) {
			t.Errorf("%q -> %q: got %v, want an error at line %s", c.from, c.to, err, c.line)
		}
	}
}
