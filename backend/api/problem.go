package api

import (
	"errors"
	"log/slog"
	"strconv"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/gofiber/fiber/v2"
)

// Problem is an RFC 9457 problem details answer.
type Problem struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail,omitempty"`
	Instance string              `json:"instance,omitempty"`
	Code     string              `json:"code"`
	Errors   []domain.FieldError `json:"errors,omitempty"`
	Current  any                 `json:"current,omitempty"` // the stored state, on a refused stale update
	retry    int
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// kind is one entry of the error catalogue: a stable code, status and title.
type kind struct {
	code   string
	status int
	title  string
}

// The error catalogue. Codes are stable: clients may branch on them.
var (
	kindMalformed   = kind{"malformed", 400, "The request could not be read"}
	kindUnauth      = kind{"unauthenticated", 401, "Sign-in required or token invalid"}
	kindForbidden   = kind{"forbidden", 403, "Not allowed for this role or organisation"}
	kindNotFound    = kind{"not-found", 404, "Not found"}
	kindMethod      = kind{"method-not-allowed", 405, "Method not allowed"}
	kindStale       = kind{"stale-update", 409, "A newer bed state is already stored"}
	kindDuplicate   = kind{"duplicate", 409, "Already exists"}
	kindNotEnough   = kind{"not-enough-beds", 409, "Not enough beds to move"}
	kindTooLarge    = kind{"too-large", 413, "Request body too large"}
	kindMediaType   = kind{"unsupported-media-type", 415, "Unsupported content type"}
	kindValidation  = kind{"validation", 422, "Some fields are not valid"}
	kindKeyReused   = kind{"idempotency-key-reused", 422, "Idempotency-Key already used for a different request"}
	kindRateLimited = kind{"rate-limited", 429, "Too many attempts"}
	kindInternal    = kind{"internal", 500, "Internal error"}
	kindUnavailable = kind{"unavailable", 503, "Service temporarily unavailable"}
)

func problem(k kind, detail string) *Problem {
	return &Problem{Type: "/problems#" + k.code, Title: k.title, Status: k.status, Code: k.code, Detail: detail}
}

func validation(fields ...domain.FieldError) *Problem {
	p := problem(kindValidation, "")
	p.Errors = fields
	if len(fields) > 0 {
		p.Detail = fields[0].Field + ": " + fields[0].Reason
	}
	return p
}

// errorHandler is fiber's one error writer: every error leaves as
// application/problem+json. Unknown errors are logged and become a bare 500;
// their text is never echoed, as it may hold SQL or data.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	p := s.toProblem(err)
	if p.Status == 500 {
		slog.Error("request failed", "method", c.Method(), "path", c.Route().Path, "error", err)
	}
	p.Instance = c.Path()
	if p.retry > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(p.retry))
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	c.Status(p.Status)
	body, _ := jsonMarshal(p)
	return c.Send(body)
}

func (s *Server) toProblem(err error) *Problem {
	var p *Problem
	var ve *domain.ValidationError
	var fe *fiber.Error
	var se *storage.StaleError
	var ne *storage.NotEnoughError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &ve):
		return validation(ve.Fields...)
	case errors.As(err, &se):
		p := problem(kindStale, "the stored bed state was observed after this update; it is returned in current")
		p.Current = s.bedsView(se.Current)
		return p
	case errors.As(err, &ne):
		p := problem(kindNotEnough, ne.Err.Error())
		p.Current = s.bedsView(ne.Current)
		return p
	case errors.Is(err, storage.ErrNotFound):
		return problem(kindNotFound, "")
	case errors.Is(err, storage.ErrDuplicate):
		return problem(kindDuplicate, "")
	case errors.Is(err, storage.ErrReference):
		return validation(domain.FieldError{Field: "body", Reason: "refers to an organisation, hospital or home that does not exist"})
	case errors.Is(err, storage.ErrKeyReused):
		return problem(kindKeyReused, "")
	case errors.Is(err, storage.ErrForbidden):
		return problem(kindForbidden, "")
	case errors.Is(err, storage.ErrUnavailable):
		p := problem(kindUnavailable, "the database is not answering; try again shortly")
		p.retry = 5
		return p
	case errors.As(err, &fe):
		switch fe.Code {
		case 404:
			return problem(kindNotFound, "")
		case 405:
			return problem(kindMethod, "")
		case 413:
			return problem(kindTooLarge, "")
		case 400:
			return problem(kindMalformed, "")
		case 503:
			p := problem(kindUnavailable, "")
			p.retry = 5
			return p
		}
		if fe.Code >= 400 && fe.Code < 500 {
			return &Problem{Type: "about:blank", Title: fe.Message, Status: fe.Code, Code: "http-" + strconv.Itoa(fe.Code)}
		}
	}
	return problem(kindInternal, "")
}
