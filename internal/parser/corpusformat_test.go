package parser

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// This file reads the corpus in testdata/corpus: the Markdown format and the
// byte convention of its request blocks, both described in the README there.
// The reader is strict: anything it does not recognise is an error naming
// the file and line, so a case can never be skipped by a typo.

// corpusDir holds the corpus, one Markdown file per area.
const corpusDir = "testdata/corpus"

// corpusCase is one ### case of the corpus.
type corpusCase struct {
	file    string // base name, such as "transfer-encoding.md"
	line    int    // line of the ### heading
	heading string // the heading's text
	anchor  string // GitHub's anchor for the heading: file#anchor links here
	why     string // the one sentence saying why

	kind   string // "http": a request head for Parser; "chunked": a body for ChunkedDecoder
	lim    Limits // from the Limits: line; zero fields keep their defaults
	hasLim bool   // a Limits: line was given
	in     []byte

	status     int      // the expected error status; 0 when accepted or incomplete
	incomplete bool     // expected: no error, more bytes needed
	want       []string // http, accepted: fields the head's describe() line must hold
	body, rest string   // chunked, accepted: the decoded body, the bytes left after it
}

// where is the case's position, for messages.
func (c *corpusCase) where() string {
	return fmt.Sprintf("%s:%d", filepath.Join(corpusDir, c.file), c.line)
}

// corpusStatus is the reason phrase (RFC 9110 §15) of every status the
// parser and the decoder answer with; the expect block spells it out.
var corpusStatus = map[int]string{
	400: "Bad Request",
	413: "Content Too Large",
	414: "URI Too Long",
	431: "Request Header Fields Too Large",
	501: "Not Implemented",
	505: "HTTP Version Not Supported",
}

// corpusConst are the names a repetition count may use, so that a case at a
// bound says which bound it is at.
var corpusConst = map[string]int{
	"maxChunkSizeDigits":  maxChunkSizeDigits,
	"maxChunkExtLen":      maxChunkExtLen,
	"maxChunkExtTotal":    maxChunkExtTotal,
	"maxTrailers":         maxTrailers,
	"maxTrailerBytes":     maxTrailerBytes,
	"DefaultMaxHeadBytes": DefaultMaxHeadBytes,
	"DefaultMaxHeaders":   DefaultMaxHeaders,
	"DefaultMaxTargetLen": DefaultMaxTargetLen,
}

// loadCorpus reads every case file of the corpus (README.md describes the
// format and holds no cases), in file name order.
func loadCorpus() ([]corpusCase, error) {
	names, err := filepath.Glob(filepath.Join(corpusDir, "*.md"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var all []corpusCase
	for _, name := range names {
		if filepath.Base(name) == "README.md" {
			continue
		}
		text, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		cases, err := parseCorpusFile(filepath.Base(name), string(text))
		if err != nil {
			return nil, err
		}
		all = append(all, cases...)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%s: no cases", corpusDir)
	}
	return all, nil
}

// corpusReader walks the lines of one file.
type corpusReader struct {
	file  string
	lines []string
	i     int // index of the next line; its number is i+1
}

func (r *corpusReader) errf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", filepath.Join(corpusDir, r.file), line, fmt.Sprintf(format, args...))
}

// next returns the next line and its number; ok is false at the end.
func (r *corpusReader) next() (s string, n int, ok bool) {
	if r.i == len(r.lines) {
		return "", len(r.lines) + 1, false
	}
	r.i++
	return r.lines[r.i-1], r.i, true
}

// blank consumes the blank line that must follow the part just read.
func (r *corpusReader) blank(after string) error {
	s, n, ok := r.next()
	if !ok || s != "" {
		return r.errf(n, "want a blank line after the %s", after)
	}
	return nil
}

// parseCorpusFile reads one file: a # title and an introduction, then cases
// (###), optionally grouped under ## sections that may carry prose.
func parseCorpusFile(file, text string) ([]corpusCase, error) {
	r := &corpusReader{file: file}
	if i := strings.IndexByte(text, '\r'); i >= 0 {
		return nil, r.errf(1+strings.Count(text[:i], "\n"), "carriage return in the file: the corpus is LF-only, and a CR byte in a request is written \\r")
	}
	if !strings.HasSuffix(text, "\n") {
		return nil, r.errf(1+strings.Count(text, "\n"), "the file must end with a line break")
	}
	r.lines = strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if !strings.HasPrefix(r.lines[0], "# ") {
		return nil, r.errf(1, "the file must open with a # title")
	}
	anchors := map[string]int{}
	anchor := func(heading string, n int) (string, error) {
		a := githubAnchor(heading)
		if prev, dup := anchors[a]; dup {
			return "", r.errf(n, "heading anchor #%s already used at line %d", a, prev)
		}
		anchors[a] = n
		return a, nil
	}
	var cases []corpusCase
	afterCase := false // prose may not follow a case until the next ## section
	for {
		s, n, ok := r.next()
		if !ok {
			break
		}
		switch {
		case n == 1:
			if _, err := anchor(s[2:], n); err != nil {
				return nil, err
			}
		case strings.HasPrefix(s, "### "):
			c, err := r.parseCase(s[4:], n)
			if err != nil {
				return nil, err
			}
			if c.anchor, err = anchor(c.heading, n); err != nil {
				return nil, err
			}
			cases = append(cases, c)
			afterCase = true
		case strings.HasPrefix(s, "## "):
			if _, err := anchor(s[3:], n); err != nil {
				return nil, err
			}
			afterCase = false
		case strings.HasPrefix(s, "#"):
			return nil, r.errf(n, "only ## sections and ### cases may follow the # title")
		case strings.HasPrefix(s, "```"):
			return nil, r.errf(n, "code block outside a case")
		case s != "" && afterCase:
			return nil, r.errf(n, "text after a case's expect block (a case ends there; start a ## section for prose)")
		}
	}
	if len(cases) == 0 {
		return nil, r.errf(1, "no ### cases")
	}
	return cases, nil
}

// oneSentence matches a sentence end followed by the start of another.
var oneSentence = regexp.MustCompile(`[.!?] +[A-Z]`)

// parseCase reads the case whose ### heading is at line n: a blank line, the
// one-sentence why, an optional Limits: line, the request block and the
// expect block, each followed by a blank line (or the end of the file).
func (r *corpusReader) parseCase(heading string, n int) (corpusCase, error) {
	c := corpusCase{file: r.file, line: n, heading: heading}
	if heading == "" || heading != strings.TrimSpace(heading) || !strings.Contains(heading, "§") {
		return c, r.errf(n, "a case heading is its name with a § reference, without surrounding spaces")
	}
	if strings.ContainsAny(heading, "*_[]<>\\") {
		return c, r.errf(n, "no Markdown markup other than `code` in a case heading: its anchor must stay predictable")
	}
	if err := r.blank("heading"); err != nil {
		return c, err
	}
	why, wn, _ := r.next()
	switch {
	case why == "" || strings.HasPrefix(why, "#") || strings.HasPrefix(why, "```") || strings.HasPrefix(why, "Limits:"):
		return c, r.errf(wn, "want the sentence saying why the outcome is what it is")
	case !strings.HasSuffix(why, "."):
		return c, r.errf(wn, "the why sentence must end with a full stop, on this one line")
	case oneSentence.MatchString(why):
		return c, r.errf(wn, "one sentence, please: the why is a single sentence")
	}
	c.why = why
	if err := r.blank("why sentence"); err != nil {
		return c, err
	}
	s, sn, _ := r.next()
	if rest, ok := strings.CutPrefix(s, "Limits: "); ok {
		if err := r.parseLimits(&c, rest, sn); err != nil {
			return c, err
		}
		if err := r.blank("Limits: line"); err != nil {
			return c, err
		}
		s, sn, _ = r.next()
	}
	switch s {
	case "```http", "```chunked":
		c.kind = s[3:]
	default:
		return c, r.errf(sn, "want the request block, ```http (a head) or ```chunked (a body)")
	}
	if c.hasLim && c.kind == "chunked" && c.lim != (Limits{MaxBody: c.lim.MaxBody}) {
		return c, r.errf(n, "a chunked body takes only MaxBody")
	}
	block, bn, err := r.block(sn)
	if err != nil {
		return c, err
	}
	var bad int
	if c.in, bad, err = decodeCorpusBlock(block); err != nil {
		return c, r.errf(bn+1+bad, "%v", err)
	}
	if err := r.blank("request block"); err != nil {
		return c, err
	}
	s, sn, _ = r.next()
	if s != "```expect" {
		return c, r.errf(sn, "want the ```expect block")
	}
	if block, bn, err = r.block(sn); err != nil {
		return c, err
	}
	if err := r.parseExpect(&c, block, bn); err != nil {
		return c, err
	}
	if s, sn, ok := r.next(); ok && s != "" {
		return c, r.errf(sn, "want a blank line after the expect block")
	}
	return c, nil
}

// block reads the lines of a fenced block opened at line n, up to its
// closing ```, and returns them with the number of the line before the
// first (so that line k of the block is number bn+k+1).
func (r *corpusReader) block(n int) ([]string, int, error) {
	start := r.i
	for {
		s, _, ok := r.next()
		if !ok {
			return nil, 0, r.errf(n, "block never closed with ```")
		}
		if s == "```" {
			return r.lines[start : r.i-1], start, nil
		}
	}
}

// parseLimits reads "Name=value, Name=value".
func (r *corpusReader) parseLimits(c *corpusCase, s string, n int) error {
	c.hasLim = true
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ", ") {
		name, v, _ := strings.Cut(f, "=")
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil || x <= 0 || seen[name] {
			return r.errf(n, "Limits: want Name=positive integer, comma-separated, each name once; got %q", f)
		}
		seen[name] = true
		switch name {
		case "MaxHeadBytes":
			c.lim.MaxHeadBytes = int(x)
		case "MaxHeaders":
			c.lim.MaxHeaders = int(x)
		case "MaxTargetLen":
			c.lim.MaxTargetLen = int(x)
		case "MaxBody":
			c.lim.MaxBody = x
		default:
			return r.errf(n, "Limits: unknown limit %q (MaxHeadBytes, MaxHeaders, MaxTargetLen, MaxBody)", name)
		}
	}
	return nil
}

// parseExpect reads the expect block: ok, incomplete or a status with its
// reason phrase, then for an accepted head the fields describe() must hold,
// and for an accepted body its body= and optional rest=, Go-quoted.
func (r *corpusReader) parseExpect(c *corpusCase, lines []string, bn int) error {
	if len(lines) == 0 {
		return r.errf(bn, "empty expect block")
	}
	code, phrase, _ := strings.Cut(lines[0], " ")
	switch st, err := strconv.Atoi(code); {
	case lines[0] == "ok":
	case lines[0] == "incomplete":
		c.incomplete = true
	case err == nil && corpusStatus[st] != "" && phrase == corpusStatus[st]:
		c.status = st
	default:
		return r.errf(bn+1, "want ok, incomplete or a status and its reason phrase, such as 400 Bad Request; got %q", lines[0])
	}
	if lines[0] != "ok" {
		if len(lines) > 1 {
			return r.errf(bn+2, "only an accepted case lists what it expects")
		}
		return nil
	}
	if c.kind == "http" {
		for k, w := range lines[1:] {
			if w == "" || w != strings.TrimSpace(w) {
				return r.errf(bn+2+k, "empty field, or spaces around it")
			}
			c.want = append(c.want, w)
		}
		return nil
	}
	var haveBody bool
	for k, l := range lines[1:] {
		key, v, _ := strings.Cut(l, "=")
		q, err := strconv.Unquote(v)
		if err != nil || (key != "body" && key != "rest") || (key == "body" && haveBody) || (key == "rest" && c.rest != "") {
			return r.errf(bn+2+k, "want body=\"...\" once, then optionally rest=\"...\" (Go-quoted)")
		}
		if key == "body" {
			c.body, haveBody = q, true
		} else {
			c.rest = q
		}
	}
	if !haveBody {
		return r.errf(bn+1, "an accepted body states its body=")
	}
	if !bytes.HasSuffix(c.in, []byte(c.rest)) {
		return r.errf(bn+1, "rest=%q is not the end of the input", c.rest)
	}
	return nil
}

// decodeCorpusBlock turns the lines of a request block into bytes: each line
// ends in CRLF unless it ends in a lone backslash, raw characters are
// printable ASCII with no SP at the end of a line, and escapes stand for
// everything else (see the README). On error, bad is the index of the line
// at fault.
func decodeCorpusBlock(lines []string) (out []byte, bad int, err error) {
	if len(lines) == 0 {
		return nil, -1, fmt.Errorf("empty request block")
	}
	for k, l := range lines {
		for i := 0; i < len(l); i++ {
			if l[i] < 0x20 || l[i] > 0x7e {
				return nil, k, fmt.Errorf("raw byte %#x: write it as an escape (\\t, \\xHH...)", l[i])
			}
		}
		if strings.HasSuffix(l, " ") {
			return nil, k, fmt.Errorf("the line ends in a raw SP, which editors strip: write it \\x20")
		}
		d := escDecoder{s: l}
		b, err := d.text(false)
		if err != nil {
			return nil, k, err
		}
		out = append(out, b...)
		if !d.cont {
			out = append(out, "\r\n"...)
		}
	}
	return out, 0, nil
}

// escDecoder decodes one line of a request block.
type escDecoder struct {
	s    string
	i    int
	cont bool // the line ended in a lone backslash: no line break
}

// text decodes up to the end of the line or, nested in a repetition, up to
// the } that closes it.
func (d *escDecoder) text(nested bool) ([]byte, error) {
	var out []byte
	for d.i < len(d.s) {
		c := d.s[d.i]
		d.i++
		if c == '}' && nested {
			return out, nil
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if d.i == len(d.s) {
			if nested {
				return nil, fmt.Errorf("line ends inside \\{...}")
			}
			d.cont = true
			return out, nil
		}
		e := d.s[d.i]
		d.i++
		switch e {
		case '\\':
			out = append(out, '\\')
		case 'r':
			out = append(out, '\r')
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case '0':
			out = append(out, 0)
		case 'x':
			if d.i+2 > len(d.s) {
				return nil, fmt.Errorf("\\x needs two hex digits")
			}
			v, err := strconv.ParseUint(d.s[d.i:d.i+2], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("\\x needs two hex digits, got %q", d.s[d.i:d.i+2])
			}
			out = append(out, byte(v))
			d.i += 2
		case '{':
			b, err := d.repeat()
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		default:
			return nil, fmt.Errorf("unknown escape \\%c (the escapes are \\\\ \\r \\n \\t \\0 \\xHH \\{N*text})", e)
		}
	}
	if nested {
		return nil, fmt.Errorf("\\{ never closed with }")
	}
	return out, nil
}

// repeatCount is a repetition count: a number or a named constant, with an
// optional added or subtracted number.
var repeatCount = regexp.MustCompile(`^([0-9]+|[A-Za-z][A-Za-z0-9]*)([+-][0-9]+)?$`)

// repeat decodes the rest of \{N*text}: text, itself decoded, N times.
func (d *escDecoder) repeat() ([]byte, error) {
	star := strings.IndexByte(d.s[d.i:], '*')
	if star < 0 {
		return nil, fmt.Errorf("\\{ needs a count and a *, as in \\{16*x}")
	}
	expr := d.s[d.i : d.i+star]
	m := repeatCount.FindStringSubmatch(expr)
	if m == nil {
		return nil, fmt.Errorf("bad repetition count %q", expr)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		v, ok := corpusConst[m[1]]
		if !ok {
			return nil, fmt.Errorf("unknown constant %q in a repetition count", m[1])
		}
		n = v
	}
	if m[2] != "" {
		k, _ := strconv.Atoi(m[2])
		n += k
	}
	d.i += star + 1
	body, err := d.text(true)
	if err != nil {
		return nil, err
	}
	if n < 1 || len(body) == 0 || n*len(body) > 1<<20 {
		return nil, fmt.Errorf("repetition %q: want 1 to 1 MiB of bytes", expr)
	}
	return bytes.Repeat(body, n), nil
}

// githubAnchor is the fragment GitHub gives a heading: lower case, spaces
// to hyphens, and everything but letters, digits, hyphens and underscores
// dropped (so "CL then TE (§6.3)" is "cl-then-te-63").
func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Nl, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
