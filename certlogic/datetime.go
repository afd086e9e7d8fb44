package certlogic

import (
	"errors"
	"fmt"
	"time"
)

// JavaScript's Date holds instants within 8.64e15 ms of 1970: the years
// beyond are out of range, as the reference evaluators find them.
const (
	minYear = -271821
	maxYear = 275760
)

// maxAmount bounds plusTime's amount so that the arithmetic stays exact;
// far beyond it every result is out of range anyway.
const maxAmount = 1 << 40

// parseDateTime reads the date and date-time forms plusTime accepts:
// YYYY, YYYY-MM (both to the last day they allow, as dccDateOfBirth does),
// YYYY-MM-DD, and YYYY-MM-DDThh:mm:ss with an optional fraction (cut to
// milliseconds) and an optional offset (Z, [+-]h, hh, hmm, hhmm, h:mm,
// hh:mm; Z when missing). The specification leaves invalid dates
// undefined; here they are errors.
func parseDateTime(s string) (time.Time, error) {
	p := &dateParser{s: s}
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("%q is not a date-time of an allowed format", s)
	}
	year := p.digits(4, 4)
	if p.end() {
		return partialDate(year, 12, s)
	}
	p.expect('-')
	month := p.digits(2, 2)
	if p.end() {
		return partialDate(year, month, s)
	}
	p.expect('-')
	day := p.digits(2, 2)
	if p.end() {
		return makeDate(year, month, day, 0, 0, 0, 0, 0, s)
	}
	p.expect('T')
	hour := p.digits(2, 2)
	p.expect(':')
	minute := p.digits(2, 2)
	p.expect(':')
	second := p.digits(2, 2)
	nanos := 0
	if p.peek('.') {
		p.i++
		nanos = p.millis() * int(time.Millisecond)
	}
	offset := 0
	switch {
	case p.err:
		return bad()
	case p.i == len(s):
	case p.peek('Z'):
		p.i++
	case p.peek('+') || p.peek('-'):
		offset = p.offset()
	}
	if !p.end() {
		return bad()
	}
	return makeDate(year, month, day, hour, minute, second, nanos, offset, s)
}

// dccDateOfBirth reads a date of birth, YYYY, YYYY-MM or YYYY-MM-DD, as the
// last day consistent with it.
func dccDateOfBirth(s string) (time.Time, error) {
	if len(s) != 4 && len(s) != 7 && len(s) != 10 {
		return time.Time{}, fmt.Errorf("date of birth %q is not YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	return parseDateTime(s)
}

// partialDate is the last day of a year or a month.
func partialDate(year, month int, s string) (time.Time, error) {
	if month < 1 || month > 12 {
		return time.Time{}, fmt.Errorf("date %q is not a valid date", s)
	}
	last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return makeDate(year, month, last, 0, 0, 0, 0, 0, s)
}

func makeDate(year, month, day, hour, minute, second, nanos, offset int, s string) (time.Time, error) {
	if year < 0 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || offset == badOffset {
		return time.Time{}, fmt.Errorf("%q is not a date-time of an allowed format", s)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, nanos, time.UTC)
	if t.Day() != day {
		return time.Time{}, fmt.Errorf("%q is not a valid date", s)
	}
	return t.Add(-time.Duration(offset) * time.Second), nil
}

// plusTime adds amount units to t the way JavaScript's UTC setters do:
// 2020-02-29 plus one year is 2021-03-01, 2021-01-31 plus one month is
// 2021-03-03.
func plusTime(t time.Time, amount int64, unit string) (time.Time, error) {
	if amount > maxAmount || amount < -maxAmount {
		return time.Time{}, errors.New("plusTime amount out of range")
	}
	n := int(amount)
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	ns := t.Nanosecond()
	switch unit {
	case "year":
		y += n
	case "month":
		m += time.Month(n)
	case "day":
		d += n
	case "hour":
		hh += n
	default:
		return time.Time{}, fmt.Errorf("unknown time unit %q", unit)
	}
	// Normalise through the year first, so that time.Date never overflows.
	if unit == "month" {
		y += int(m-1) / 12
		m = (m-1)%12 + 1
		if m < 1 {
			m += 12
			y--
		}
	}
	// Days and hours within maxAmount cannot overflow time.Date; years can.
	if y < minYear-1 || y > maxYear+1 {
		return time.Time{}, errors.New("plusTime result out of range")
	}
	r := time.Date(y, m, d, hh, mm, ss, ns, time.UTC)
	if r.Year() < minYear || r.Year() > maxYear {
		return time.Time{}, errors.New("plusTime result out of range")
	}
	return r, nil
}

// badOffset marks an offset that is not one of the allowed forms.
const badOffset = 1 << 30

type dateParser struct {
	s   string
	i   int
	err bool
}

// end reports whether the whole text has been read without a fault.
func (p *dateParser) end() bool          { return !p.err && p.i == len(p.s) }
func (p *dateParser) peek(c byte) bool   { return !p.err && p.i < len(p.s) && p.s[p.i] == c }
func (p *dateParser) expect(c byte)      { p.err = p.err || !p.peek(c); p.i++ }
func (p *dateParser) isDigit(i int) bool { return i < len(p.s) && p.s[i] >= '0' && p.s[i] <= '9' }

// digits reads between lo and hi decimal digits.
func (p *dateParser) digits(lo, hi int) int {
	if p.err {
		return 0
	}
	n, count := 0, 0
	for count < hi && p.isDigit(p.i) {
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
		count++
	}
	if count < lo {
		p.err = true
	}
	return n
}

// millis reads a fraction of a second, at least one digit, and keeps the
// milliseconds: the decimals beyond the third are dropped (rounding down).
func (p *dateParser) millis() int {
	n, count := 0, 0
	for p.isDigit(p.i) {
		if count < 3 {
			n = n*10 + int(p.s[p.i]-'0')
		}
		p.i++
		count++
	}
	if count == 0 {
		p.err = true
	}
	for ; count < 3; count++ {
		n *= 10
	}
	return n
}

// offset reads [+-]h, hh, hmm, hhmm, h:mm or hh:mm and returns seconds
// east of UTC, or badOffset.
func (p *dateParser) offset() int {
	sign := 1
	if p.s[p.i] == '-' {
		sign = -1
	}
	p.i++
	start := p.i
	for p.isDigit(p.i) {
		p.i++
	}
	run := p.s[start:p.i]
	var h, m string
	switch {
	case p.peek(':') && (len(run) == 1 || len(run) == 2):
		p.i++
		h = run
		mstart := p.i
		for p.isDigit(p.i) {
			p.i++
		}
		m = p.s[mstart:p.i]
		if len(m) != 2 {
			return badOffset
		}
	case len(run) == 1 || len(run) == 2:
		h = run
	case len(run) == 3 || len(run) == 4:
		h, m = run[:len(run)-2], run[len(run)-2:]
	default:
		return badOffset
	}
	hours, minutes := atoi(h), atoi(m)
	if hours > 23 || minutes > 59 {
		return badOffset
	}
	return sign * (hours*3600 + minutes*60)
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
