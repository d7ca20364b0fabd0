package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/gofiber/fiber/v2"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// decode reads a JSON body strictly: the right content type, no unknown
// fields, one value only. Errors name what is wrong.
func decode(c *fiber.Ctx, v any) error {
	ct, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if ct != "application/json" {
		return problem(kindMediaType, "send application/json")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return problem(kindMalformed, "the body must hold one JSON value")
	}
	return nil
}

func decodeProblem(err error) *Problem {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var tpe *time.ParseError
	switch {
	case errors.As(err, &te):
		return validation(domain.FieldError{Field: te.Field, Reason: "must be " + te.Type.String()})
	case errors.As(err, &tpe), strings.Contains(err.Error(), "Time.UnmarshalJSON"):
		// encoding/json does not say which field held the bad time.
		return validation(domain.FieldError{Field: "body", Reason: "times must be RFC 3339 strings, such as 2026-11-23T09:30:00Z"})
	case errors.As(err, &se):
		return problem(kindMalformed, fmt.Sprintf("invalid JSON at byte %d", se.Offset))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return validation(domain.FieldError{Field: field, Reason: "unknown field"})
	case errors.Is(err, io.EOF):
		return problem(kindMalformed, "empty body")
	}
	return problem(kindMalformed, "invalid JSON")
}

// maxSkew is how far ahead of the server's clock an observed time may be. A
// time far in the future would make every later real update look stale.
const maxSkew = 5 * time.Minute

func checkObserved(field string, t *time.Time, now time.Time, required bool) (time.Time, error) {
	if t == nil {
		if required {
			return time.Time{}, validation(domain.FieldError{Field: field, Reason: "required"})
		}
		return now, nil
	}
	if t.After(now.Add(maxSkew)) {
		return time.Time{}, validation(domain.FieldError{Field: field, Reason: "is in the future; check the device clock"})
	}
	return t.UTC(), nil
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
