package parser

import (
	"encoding/binary"
	"math/bits"
)

// Word-at-a-time ("SWAR") byte classes. Each function below takes eight bytes
// as a little-endian word and returns a mask with the high bit of a byte lane
// set when that byte is outside the class, so that the first outsider is at
// lane bits.TrailingZeros64(mask)/8. The lowest flag is always exact, and
// only it is used; valueStop's are all exact.
//
// The tests are additions. For a lane v < 0x80 and a bound c in 1..0x80,
//
//	v + (0x80-c) has its high bit set  <=>  v >= c,
//
// and the sum is at most 0x7f+0x7f = 0xfe, so it carries nothing into the
// next lane. Two such sums give a range: lo <= v <= hi exactly when the high
// bits of v + (0x80-lo) and v + (0x7f-hi) differ, so their XOR has it set.
// Equality is (v^c) + 0x7f, whose high bit is set exactly when v != c. Every
// class but valueStop's excludes the bytes >= 0x80: the final |x flags such
// a lane, and the carry its sums may send upwards only disturbs lanes above
// that flagged one. valueStop masks them to seven bits first instead, since
// obs-text is a value byte. TestWordClasses checks every function against
// the byte tables.
const (
	lsb  = 0x0101010101010101
	msb  = 0x8080808080808080
	low7 = 0x7f7f7f7f7f7f7f7f
	fold = 0x20 * lsb // v|0x20 is in 'a'..'z' exactly when v is an ASCII letter
)

// load64 returns b[i:i+8] as a little-endian word.
func load64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i : i+8]) }

// firstLane returns the lane of the lowest flagged byte of a non-zero mask.
func firstLane(m uint64) int { return bits.TrailingZeros64(m) >> 3 }

// letters returns the lanes of x (with the high bit as the flag) that are
// ASCII letters of either case.
func letters(x uint64) uint64 {
	l := x | fold
	return (l + (0x80-'a')*lsb) ^ (l + (0x7f-'z')*lsb)
}

// nameStop flags the bytes of x that are not ASCII letters or '-', which
// nearly every method and field name is made of. Callers let the other
// tchars (digits, '_', ...) through one at a time.
func nameStop(x uint64) uint64 {
	in := letters(x) | ((x + (0x80-'-')*lsb) ^ (x + (0x7f-'-')*lsb))
	return (^in | x) & msb
}

// hostStop flags the bytes of x that are not ASCII letters, digits, '-' or
// '.': those of nearly every host name and IPv4 address. '-' to '9' is one
// range but for '/'.
func hostStop(x uint64) uint64 {
	in := letters(x) | ((x + (0x80-'-')*lsb) ^ (x + (0x7f-'9')*lsb))
	in &= (x ^ '/'*lsb) + low7
	return (^in | x) & msb
}

// digitStop flags the bytes of x that are not ASCII digits.
func digitStop(x uint64) uint64 {
	in := (x + (0x80-'0')*lsb) ^ (x + (0x7f-'9')*lsb)
	return (^in | x) & msb
}

// targetStop flags the bytes of x that are not tPlain in targetTab: controls,
// SP, DEL, bytes >= 0x80, '#', '%' and '?'.
func targetStop(x uint64) uint64 {
	in := (x + (0x80-0x21)*lsb) ^ (x + (0x7f-0x7e)*lsb) // VCHAR
	in &= (x ^ '#'*lsb) + low7
	in &= (x ^ '%'*lsb) + low7
	in &= (x ^ '?'*lsb) + low7
	return (^in | x) & msb
}

// valueStop flags the bytes of x that end a field-value scan: controls
// (HTAB included, which callers let pass) and DEL. Bytes >= 0x80 (obs-text)
// pass: their high bit, set in x, clears the flag. Every lane is exact.
func valueStop(x uint64) uint64 {
	v := x & low7
	vchar := (v + (0x80-0x20)*lsb) ^ (v + (0x7f-0x7e)*lsb) // SP to '~'
	return ^(vchar | x) & msb
}

// word returns the eight bytes of b from i as a little-endian word, with
// zero bytes in the lanes at and past len(b); it needs len(b) >= 8 and
// i <= len(b). A zero byte is outside every class above, so a scan built on
// word stops at len(b) at the latest, and needs no byte-at-a-time tail.
func word(b []byte, i int) uint64 {
	if i+8 <= len(b) {
		return binary.LittleEndian.Uint64(b[i : i+8 : i+8])
	}
	// Shift out the i+8-len(b) lanes already seen, 1 to 8 of them: in two
	// steps, so that no shift count reaches 64.
	return load64(b, len(b)-8) >> ((8*uint(i-len(b)) + 56) & 63) >> 8
}

// The skip functions, for the resumable parser, return the index of the
// first byte at or after i that is outside their class, or len(b).

// skipToken skips tchars. Whole words of letters and '-' are skipped at
// once; any other tchar (a digit, '_', ...) is let through one at a time.
func skipToken(b []byte, i int) int {
	if len(b) < 8 {
		for i < len(b) && tokenTab[b[i]] {
			i++
		}
		return i
	}
	for {
		m := nameStop(word(b, i))
		if m == 0 {
			i += 8
			continue
		}
		i += firstLane(m)
		if i >= len(b) || !tokenTab[b[i]] {
			return i
		}
		i++
	}
}

// skipValue skips field-value bytes (RFC 9110 §5.5): it stops at CR, LF and
// the other bytes valueTab excludes. Only a HTAB at the lane valueStop flags
// first lets the scan go on.
func skipValue(b []byte, i int) int {
	if len(b) < 8 {
		for i < len(b) && valueTab[b[i]] {
			i++
		}
		return i
	}
	for {
		m := valueStop(word(b, i))
		if m == 0 {
			i += 8
			continue
		}
		i += firstLane(m)
		if i >= len(b) || b[i] != '\t' {
			return i
		}
		i++
	}
}
