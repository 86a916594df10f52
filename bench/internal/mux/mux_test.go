package mux

import (
	"net/http/httptest"
	"testing"
)

func TestMux(t *testing.T) {
	h := Mux()
	for _, tc := range []struct {
		method, target string
		code           int
		body           string
	}{
		{"GET", Path, 200, Body},
		{"GET", "/hello/a%20b", 200, `{"hello":"a b"}` + "\n"},
		{"GET", "/hello/a/b", 404, "404 page not found\n"},
		{"GET", "/", 404, "404 page not found\n"},
		{"POST", Path, 405, "Method Not Allowed\n"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
		if rec.Code != tc.code || rec.Body.String() != tc.body {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.target, rec.Code, rec.Body, tc.code, tc.body)
		}
		if tc.code == 200 && rec.Header().Get("Content-Type") != ContentType {
			t.Errorf("%s %s: Content-Type %q", tc.method, tc.target, rec.Header().Get("Content-Type"))
		}
	}
}
