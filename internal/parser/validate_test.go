package parser

import (
	"strings"
	"testing"
)

// TestValidators checks the exported classes against the RFC's grammar,
// spelled out independently, for every byte.
func TestValidators(t *testing.T) {
	const tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for c := 0; c < 256; c++ {
		b := byte(c)
		wantToken := strings.IndexByte(tchars, b) >= 0
		if IsTokenChar(b) != wantToken || ValidToken(string([]byte{b})) != wantToken {
			t.Errorf("byte %#x: token %v, want %v", c, IsTokenChar(b), wantToken)
		}
		// field-value characters: HTAB, SP, VCHAR (0x21-0x7e), obs-text (0x80-0xff).
		wantValue := b == '\t' || b == ' ' || (b >= 0x21 && b <= 0x7e) || b >= 0x80
		if got := ValidFieldValue("a" + string([]byte{b}) + "z"); got != wantValue {
			t.Errorf("byte %#x in a value: %v, want %v", c, got, wantValue)
		}
	}
	if ValidToken("") || !ValidFieldValue("") {
		t.Error("empty token accepted, or empty value refused")
	}
}
