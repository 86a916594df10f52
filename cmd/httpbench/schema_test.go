package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// checkSchema validates v against the subset of JSON Schema schema.json
// uses: type, const, enum, required, properties, additionalProperties,
// items and local $ref. It returns every violation, with its path.
func checkSchema(root, s map[string]any, v any, path string) []string {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		s = root["$defs"].(map[string]any)[name].(map[string]any)
	}
	var errs []string
	bad := func(format string, args ...any) {
		errs = append(errs, path+": "+fmt.Sprintf(format, args...))
	}
	switch typ, _ := s["type"].(string); typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("%T, want an object", v)
			return errs
		}
		props, _ := s["properties"].(map[string]any)
		for _, r := range asSlice(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				bad("lacks required %q", r)
			}
		}
		for k, val := range obj {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, checkSchema(root, ps, val, path+"."+k)...)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					bad("field %q is not in the schema", k)
				}
			case map[string]any:
				errs = append(errs, checkSchema(root, ap, val, path+"."+k)...)
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			bad("%T, want an array", v)
			return errs
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, el := range arr {
				errs = append(errs, checkSchema(root, items, el, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != math.Trunc(f) {
			bad("%v, want an integer", v)
		}
	case "number":
		if _, ok := v.(float64); !ok {
			bad("%v, want a number", v)
		}
	case "string":
		if _, ok := v.(string); !ok {
			bad("%v, want a string", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("%v, want a boolean", v)
		}
	default:
		bad("schema without a type")
	}
	if c, ok := s["const"]; ok && c != v {
		bad("%v, want %v", v, c)
	}
	if enum := asSlice(s["enum"]); enum != nil {
		found := false
		for _, e := range enum {
			found = found || e == v
		}
		if !found {
			bad("%v, want one of %v", v, enum)
		}
	}
	return errs
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// TestJSONFollowsSchema: the reports of a closed-loop run, an open-loop
// run with -server-pid, and a sweep each hold exactly the fields
// schema.json documents, of the documented types, the required ones
// present; and the schema's version is the one httpbench writes.
func TestJSONFollowsSchema(t *testing.T) {
	b, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	sv := root["properties"].(map[string]any)["schema_version"].(map[string]any)["const"]
	if sv != float64(schemaVersion) {
		t.Errorf("schema.json is for version %v, httpbench writes %d", sv, schemaVersion)
	}
	_, url := startLoopServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	runs := map[string][]string{
		"closed": {"-c", "2", "-n", "300"},
		"rate":   {"-c", "2", "-n", "300", "-rate", "3000", "-server-pid", fmt.Sprint(os.Getpid())},
		"sweep":  {"-c", "2", "-d", "100ms", "-sweep", "1000:2000:1000", "-slo", "p99=1s"},
		"errors": {"-c", "1", "-n", "3", "-t", "50ms", closedPortURL(t)},
	}
	for name, args := range runs {
		t.Run(name, func(t *testing.T) {
			if name != "errors" {
				args = append(args, url)
			}
			var stdout, stderr bytes.Buffer
			if code := run(append(args, "-json"), &stdout, &stderr); code != 0 {
				t.Fatalf("exit status %d: %s", code, stderr.String())
			}
			var v map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			for _, e := range checkSchema(root, root, v, "report") {
				t.Error(e)
			}
			if name == "rate" && v["cpu"].(map[string]any)["server"] == nil {
				t.Error("no cpu.server with -server-pid")
			}
		})
	}
}
