package server

import (
	"io"
	"os"
	"testing"
)

// readFromProbe is a destination with ReadFrom that notes whether what it
// was handed is a file it could send with sendfile.
type readFromProbe struct{ sendable, limited bool }

func (p *readFromProbe) Write(b []byte) (int, error) { return len(b), nil }

func (p *readFromProbe) ReadFrom(r io.Reader) (int64, error) {
	f, lr := sendableFile(r)
	p.sendable, p.limited = f != nil, lr != nil
	return io.Copy(struct{ io.Writer }{p}, r)
}

// TestIoCopyFromAFileIsSendable: io.Copy(w, f) and io.CopyN(w, f, n) from
// an *os.File reach w's ReadFrom with something sendableFile recognises
// (io.Copy goes through os.File.WriteTo, which hands ReadFrom a wrapper),
// so a Stream or the bridge's ResponseWriter sends it with sendfile(2).
func TestIoCopyFromAFileIsSendable(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "file")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("some bytes")
	for _, c := range []struct {
		name        string
		copy        func(w io.Writer) (int64, error)
		wantLimited bool
	}{
		{"io.Copy", func(w io.Writer) (int64, error) { return io.Copy(w, f) }, false},
		{"io.CopyN", func(w io.Writer) (int64, error) { return io.CopyN(w, f, 4) }, true},
	} {
		f.Seek(0, io.SeekStart)
		p := &readFromProbe{}
		if _, err := c.copy(p); err != nil {
			t.Fatal(err)
		}
		if !p.sendable || p.limited != c.wantLimited {
			t.Errorf("%s: ReadFrom saw sendable %v, limited %v; want true, %v", c.name, p.sendable, p.limited, c.wantLimited)
		}
	}
}
