package qa_test

import (
	"testing"
	"time"

	"mingbai"
	"mingbai/internal/qa"
)

// TestCanReopen pins the one reopening rule that both the workflow and the
// item page use.
func TestCanReopen(t *testing.T) {
	replied := time.Date(2025, 3, 1, 10, 0, 0, 0, mingbai.Shanghai)
	end := replied.AddDate(0, 0, 7)
	cases := []struct {
		name     string
		status   qa.Status
		reopened bool
		at       *time.Time
		now      time.Time
		ok       bool
	}{
		{"within the window", qa.Replied, false, &replied, replied.Add(time.Hour), true},
		{"last instant", qa.Replied, false, &replied, end, true},
		{"after the window", qa.Replied, false, &replied, end.Add(time.Second), false},
		{"reopened once already", qa.Replied, true, &replied, replied.Add(time.Hour), false},
		{"received", qa.Received, false, nil, replied, false},
		{"studying", qa.Studying, false, nil, replied, false},
		{"referred", qa.Referred, false, nil, replied, false},
		{"confirmed", qa.Confirmed, false, &replied, replied.Add(time.Hour), false},
		{"merged", qa.Merged, false, &replied, replied.Add(time.Hour), false},
	}
	for _, c := range cases {
		it := &qa.Item{Status: c.status, Reopened: c.reopened, RepliedAt: c.at}
		err := it.CanReopen(c.now, 7)
		if (err == nil) != c.ok {
			t.Errorf("%s: CanReopen = %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && mingbai.ErrorCode(err) != mingbai.ECONFLICT {
			t.Errorf("%s: code %q, want conflict", c.name, mingbai.ErrorCode(err))
		}
	}
}

// TestOverdueLate: a question past the end of its due day with no whole
// working day since (a weekend) reads 不到 1 个工作日, never "0 个工作日".
func TestOverdueLate(t *testing.T) {
	for days, want := range map[int]string{0: "不到 1 个工作日", 1: "1 个工作日", 12: "12 个工作日"} {
		if got := (qa.OverdueItem{DaysLate: days}).Late(); got != want {
			t.Errorf("DaysLate %d: %q, want %q", days, got, want)
		}
	}
}
