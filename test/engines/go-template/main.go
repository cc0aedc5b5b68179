// The oracle for Radial's ApplicationSet template engine: Go's text/template with the functions
// Argo CD's ApplicationSet controller gives it (applicationset/utils: sprig's generic functions
// without env, expandenv and getHostByName, plus normalize, slugify, toYaml, fromYaml and
// fromYamlArray, copied from Argo CD below), parsed and executed as Argo CD's Render.Replace does.
// One JSON request per line on stdin, one JSON answer per line on stdout:
//
//	{"template": "...", "data": {...}, "options": ["missingkey=error"]} → {"output": "..."} or {"error": "..."}
//
// The data is decoded as Argo CD decodes generator parameters: JSON numbers become float64.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/gosimple/slug"
	"sigs.k8s.io/yaml"
)

type request struct {
	Template string         `json:"template"`
	Data     map[string]any `json:"data"`
	Options  []string       `json:"options"`
}

type answer struct {
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
}

var base *template.Template

func init() {
	funcs := sprig.GenericFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	delete(funcs, "getHostByName")
	funcs["normalize"] = sanitizeName
	funcs["slugify"] = slugifyName
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	base = template.New("base").Funcs(funcs)
}

func render(req request) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	cloned, err := base.Clone()
	if err != nil {
		return "", err
	}
	for _, option := range req.Options {
		cloned = cloned.Option(option)
	}
	parsed, err := cloned.Parse(req.Template)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := parsed.Execute(&buf, req.Data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	encoder := json.NewEncoder(out)
	encoder.SetEscapeHTML(false)
	for in.Scan() {
		var req request
		var ans answer
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			msg := "bad request: " + err.Error()
			ans.Error = &msg
		} else if output, err := render(req); err != nil {
			msg := err.Error()
			ans.Error = &msg
		} else {
			ans.Output = &output
		}
		if err := encoder.Encode(ans); err != nil {
			panic(err)
		}
	}
	if err := in.Err(); err != nil {
		panic(err)
	}
	// Answers are buffered: the caller reads them while it writes, and all arrive by the end.
	if err := out.Flush(); err != nil {
		panic(err)
	}
}

// From Argo CD's applicationset/utils (template_functions.go and SlugifyName in utils.go), Apache-2.0.

func sanitizeName(name string) string {
	invalidDNSNameChars := regexp.MustCompile("[^-a-z0-9.]")
	maxDNSNameLength := 253

	name = strings.ToLower(name)
	name = invalidDNSNameChars.ReplaceAllString(name, "-")
	if len(name) > maxDNSNameLength {
		name = name[:maxDNSNameLength]
	}

	return strings.Trim(name, "-.")
}

func slugifyName(args ...any) string {
	maxSize := 50
	enableSmartTruncate := true
	name := ""
	for idx, arg := range args {
		switch idx {
		case len(args) - 1:
			name = arg.(string)
		case 0:
			maxSize = arg.(int)
		case 1:
			enableSmartTruncate = arg.(bool)
		}
	}
	slug.EnableSmartTruncate = enableSmartTruncate
	slug.MaxLength = maxSize
	return slug.Make(sanitizeName(name))
}

func toYAML(v any) (string, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

func fromYAML(str string) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		return nil, err
	}
	return m, nil
}

func fromYAMLArray(str string) ([]any, error) {
	a := []any{}
	if err := yaml.Unmarshal([]byte(str), &a); err != nil {
		return nil, err
	}
	return a, nil
}
