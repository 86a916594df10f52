package parser

import (
	"strings"
	"testing"
)

// The table classes against the RFC grammars, spelled out byte by byte.
func TestTables(t *testing.T) {
	const tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for c := 0; c < 256; c++ {
		if got, want := tokenTab[c], strings.IndexByte(tchars, byte(c)) >= 0; got != want {
			t.Errorf("tokenTab[%#x] = %t", c, got)
		}
		if got, want := valueTab[c], c == '\t' || c >= 0x20 && c != 0x7f; got != want {
			t.Errorf("valueTab[%#x] = %t", c, got)
		}
		wantT := uint8(tInvalid)
		switch {
		case c == ' ':
			wantT = tSpace
		case c == '%':
			wantT = tPercent
		case c == '?':
			wantT = tQuery
		case c > 0x20 && c < 0x7f && c != '#':
			wantT = tPlain
		}
		if targetTab[c] != wantT {
			t.Errorf("targetTab[%#x] = %d, want %d", c, targetTab[c], wantT)
		}
	}
}

// skipValue's word-at-a-time scan must stop exactly where the byte table
// does, for every byte value at every offset of a word and across words.
func TestSkipValue(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 20; pos++ {
			for _, fill := range []byte{'a', 0xff, '\t'} {
				b := []byte(strings.Repeat(string(fill), 24))
				b[pos] = byte(c)
				want := 0
				for want < len(b) && valueTab[b[want]] {
					want++
				}
				if got := skipValue(b, 0); got != want {
					t.Fatalf("byte %#x at %d (fill %#x): skipValue = %d, want %d", c, pos, fill, got, want)
				}
				if got := skipValue(b, 3); got != max(want, 3) && want >= 3 {
					t.Fatalf("byte %#x at %d from 3: %d", c, pos, got)
				}
			}
			b := []byte(strings.Repeat("a", 24))
			b[pos] = byte(c)
			want := 0
			for want < len(b) && tokenTab[b[want]] {
				want++
			}
			if got := skipToken(b, 0); got != want {
				t.Fatalf("byte %#x at %d: skipToken = %d, want %d", c, pos, got, want)
			}
		}
	}
}
