package profile

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrEnv is wrapped when a profile needs an environment variable that is
// not set.
var ErrEnv = errors.New("environment variable not set")

// exprRE matches one {{ ... }} expression.
var exprRE = regexp.MustCompile(`\{\{(.*?)\}\}`)

// envVarRE is the one Jinja call originsim renders: env_var('NAME') or
// env_var('NAME', 'default'), with either quote, then optional filters.
var envVarRE = regexp.MustCompile(`^\s*env_var\(\s*(?:'([^']*)'|"([^"]*)")\s*(?:,\s*(?:'([^']*)'|"([^"]*)")\s*)?\)\s*((?:\|\s*\w+\s*)*)$`)

// filters that do not change a value once it is text.
var filters = map[string]bool{"int": true, "float": true, "string": true, "as_text": true, "as_number": true, "as_bool": true, "as_native": true, "trim": true}

// Render replaces every {{ env_var(...) }} in s. Any other Jinja is an
// error naming it: originsim is not a template engine.
func Render(s string, lookupEnv func(string) (string, bool)) (string, error) {
	if strings.Contains(s, "{%") || strings.Contains(s, "{#") {
		return "", errors.New("Jinja statements and comments ({% %}, {# #}) are not supported: only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }}")
	}
	if strings.Contains(exprRE.ReplaceAllString(s, ""), "{{") {
		return "", errors.New("a {{ is never closed with }}")
	}
	var firstErr error
	out := exprRE.ReplaceAllStringFunc(s, func(expr string) string {
		if firstErr != nil {
			return ""
		}
		inner := exprRE.FindStringSubmatch(expr)[1]
		idx := envVarRE.FindStringSubmatchIndex(inner)
		if idx == nil {
			firstErr = fmt.Errorf("%s is not supported: only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }}", strings.TrimSpace(expr))
			return ""
		}
		group := func(i int) string {
			if idx[2*i] < 0 {
				return ""
			}
			return inner[idx[2*i]:idx[2*i+1]]
		}
		hasDefault := idx[6] >= 0 || idx[8] >= 0
		for _, f := range strings.Split(group(5), "|")[1:] {
			if f = strings.TrimSpace(f); !filters[f] {
				firstErr = fmt.Errorf("filter | %s in %s is not supported", f, strings.TrimSpace(expr))
				return ""
			}
		}
		name := group(1) + group(2)
		if v, ok := lookupEnv(name); ok {
			return v
		}
		if hasDefault {
			return group(3) + group(4)
		}
		firstErr = fmt.Errorf("%w: %s: set it, or give a default: {{ env_var('%s', 'default') }}", ErrEnv, name, name)
		return ""
	})
	if firstErr != nil {
		return "", firstErr
	}
	return out, nil
}
