package parser

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// validIPv6 must agree with net/netip on every string over the IPv6 alphabet:
// a hand-picked list, then random strings.
func TestValidIPv6(t *testing.T) {
	check := func(s string) {
		t.Helper()
		a, err := netip.ParseAddr(s)
		want := err == nil && a.Is6() && a.Zone() == ""
		if got := validIPv6([]byte(s)); got != want {
			t.Fatalf("validIPv6(%q) = %t, netip says %t", s, got, want)
		}
	}
	for _, s := range []string{
		"", ":", "::", ":::", "::1", "1::", "1::1", "0:0:0:0:0:0:0:0", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", "12345::", "::ffff:1.2.3.4",
		"::1.2.3.4", "1.2.3.4", "::1.2.3", "::1.2.3.4.5", "::01.2.3.4", "::256.2.3.4", "1:2:3:4:5:6:1.2.3.4",
		"1:2:3:4:5:6:7:1.2.3.4", "::ffff:1.2.3.4:1", "1::2::3", ":1::", "::1:", "abcd:EF01::", "g::",
		"::0.0.0.0", "::.1.2.3", "::1..2.3", "fe80::1",
	} {
		check(s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789abcdef:.:."
	b := make([]byte, 0, 24)
	for range 200000 {
		b = b[:0]
		for n := r.IntN(24); n > 0; n-- {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		check(string(b))
	}
}
