package parser

import (
	"errors"
	"reflect"
	"testing"
)

func TestMethodString(t *testing.T) {
	for m, want := range map[Method]string{
		MethodOther: "OTHER", MethodGet: "GET", MethodHead: "HEAD", MethodPost: "POST", MethodPut: "PUT",
		MethodDelete: "DELETE", MethodTrace: "TRACE", MethodOptions: "OPTIONS", MethodConnect: "CONNECT",
		MethodPatch: "PATCH", Method(200): "OTHER",
	} {
		if got := m.String(); got != want {
			t.Errorf("Method(%d).String() = %q, want %q", m, got, want)
		}
		if m != MethodOther && m < 200 && lookupMethod([]byte(want)) != m {
			t.Errorf("lookupMethod(%q) != %v", want, m)
		}
	}
	for _, s := range []string{"GETS", "GE", "get", "Post", "OPTION", "CONNECTS", "", "PATCH "} {
		if m := lookupMethod([]byte(s)); m != MethodOther {
			t.Errorf("lookupMethod(%q) = %v", s, m)
		}
	}
}

func TestLookup(t *testing.T) {
	buf := []byte(browserRequest)
	p := New(Limits{})
	var r Head
	if _, err := p.Parse(buf, &r); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"host": "www.example.com", "ACCEPT-language": "en-US,en;q=0.5", "Priority": "u=0, i",
	} {
		s, ok := r.Lookup(buf, name)
		if !ok || string(s.Bytes(buf)) != want {
			t.Errorf("Lookup(%q) = %q, %t; want %q", name, s.Bytes(buf), ok, want)
		}
	}
	for _, name := range []string{"", "Hos", "Hostt", "X-Missing", "Host\x00"} {
		if _, ok := r.Lookup(buf, name); ok {
			t.Errorf("Lookup(%q) found something", name)
		}
	}
	if n := testing.AllocsPerRun(100, func() { r.Lookup(buf, "cookie") }); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
}

// Lookup returns the first of repeated fields.
func TestLookupFirst(t *testing.T) {
	buf := []byte("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n\r\n")
	var r Head
	if _, err := New(Limits{}).Parse(buf, &r); err != nil {
		t.Fatal(err)
	}
	if s, _ := r.Lookup(buf, "X-a"); string(s.Bytes(buf)) != "1" {
		t.Fatalf("got %q", s.Bytes(buf))
	}
}

// A request reused across heads keeps nothing from the last one but the
// capacity of Headers.
func TestRequestReuse(t *testing.T) {
	p := New(Limits{})
	var r Head
	first := []byte("POST http://a/b?c HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close, upgrade\r\nExpect: 100-continue\r\n\r\n")
	if _, err := p.Parse(first, &r); err != nil {
		t.Fatal(err)
	}
	capBefore := cap(r.Headers)
	second := []byte("GET / HTTP/1.0\r\n\r\n")
	if _, err := p.Parse(second, &r); err != nil {
		t.Fatal(err)
	}
	want := parseWhole(Limits{}, second).desc
	if got := describe(second, &r); got != want {
		t.Fatalf("reused request:\n got %s\nwant %s", got, want)
	}
	if cap(r.Headers) != capBefore {
		t.Fatalf("Headers capacity %d, was %d", cap(r.Headers), capBefore)
	}
	r.Reset()
	if r.ContentLength != -1 || len(r.Headers) != 0 || r.HasHost {
		t.Fatalf("Reset left %+v", r)
	}
}

func TestHasBody(t *testing.T) {
	for _, c := range []struct {
		r    Head
		want bool
	}{
		{Head{ContentLength: -1}, false},
		{Head{ContentLength: 0}, false},
		{Head{ContentLength: 1}, true},
		{Head{ContentLength: -1, Chunked: true}, true},
	} {
		if got := c.r.HasBody(); got != c.want {
			t.Errorf("%+v: HasBody = %t", c.r, got)
		}
	}
}

// After an error the parser starts afresh: the next call parses a new head.
func TestResetAfterError(t *testing.T) {
	p := New(Limits{})
	var r Head
	if _, err := p.Parse([]byte("GET / HTTP/1.1\r\nX : y\r\n\r\n"), &r); err == nil {
		t.Fatal("accepted whitespace before colon")
	}
	if n, err := p.Parse([]byte(wrkRequest), &r); n != len(wrkRequest) || err != nil {
		t.Fatalf("after error: n=%d err=%v", n, err)
	}
	// Reset abandons a half-parsed head.
	if n, _ := p.Parse([]byte("GET /half"), &r); n != 0 {
		t.Fatal("half head complete")
	}
	p.Reset()
	if n, err := p.Parse([]byte(wrkRequest), &r); n != len(wrkRequest) || err != nil {
		t.Fatalf("after Reset: n=%d err=%v", n, err)
	}
}

// A caller that passes fewer bytes than before gets "need more", not a panic.
func TestShrunkBuffer(t *testing.T) {
	p := New(Limits{})
	var r Head
	if n, err := p.Parse([]byte(wrkRequest[:20]), &r); n != 0 || err != nil {
		t.Fatal(n, err)
	}
	if n, err := p.Parse([]byte(wrkRequest[:10]), &r); n != 0 || err != nil {
		t.Fatal(n, err)
	}
	if n, err := p.Parse([]byte(wrkRequest), &r); n != len(wrkRequest) || err != nil {
		t.Fatal(n, err)
	}
}

func TestErrorValues(t *testing.T) {
	_, err := New(Limits{}).Parse([]byte("GET / HTTP/1.1\r\n\r\n"), new(Head))
	var e *Error
	if !errors.As(err, &e) || e != errHostMissing || e.Status != 400 {
		t.Fatalf("got %v", err)
	}
	if got := e.Error(); got != "http 400: missing Host header" {
		t.Fatalf("Error() = %q", got)
	}
	// Rejecting allocates nothing.
	p := New(Limits{})
	var r Head
	bad := []byte("GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\nHost: h\r\n\r\n")
	r.Headers = make([]Header, 0, 8)
	if n := testing.AllocsPerRun(100, func() { p.Parse(bad, &r) }); n != 0 {
		t.Fatalf("error path allocates %v times", n)
	}
}

func TestSpanBytes(t *testing.T) {
	buf := []byte("0123456789")
	b := Span{Off: 2, Len: 3}.Bytes(buf)
	if string(b) != "234" || cap(b) != 3 {
		t.Fatalf("got %q cap %d", b, cap(b))
	}
}

// Reset clears every field of Request but the capacity of Headers: each
// field is set to a non-zero value through reflection, so that a field added
// to Request and forgotten in Reset fails here.
func TestRequestReset(t *testing.T) {
	var r Head
	v := reflect.ValueOf(&r).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Uint8, reflect.Uint32:
			f.SetUint(7)
		case reflect.Int, reflect.Int64:
			f.SetInt(7)
		case reflect.Struct: // Span
			f.Field(0).SetUint(7)
			f.Field(1).SetUint(7)
		case reflect.Slice: // Headers
			f.Set(reflect.ValueOf(make([]Header, 3, 5)))
		default:
			t.Fatalf("field %s of kind %v: teach this test about it", v.Type().Field(i).Name, f.Kind())
		}
	}
	r.Reset()
	if cap(r.Headers) != 5 || len(r.Headers) != 0 {
		t.Fatalf("Headers len %d cap %d after Reset", len(r.Headers), cap(r.Headers))
	}
	r.Headers = nil
	if want := (Head{ContentLength: -1}); !reflect.DeepEqual(r, want) {
		t.Fatalf("after Reset: %+v, want %+v", r, want)
	}
}
