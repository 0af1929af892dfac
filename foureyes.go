package mingbai

// SecondPerson is the four-eyes rule (两人复核) of every two-person step:
// whoever checks a piece of work (reviews, returns or approves a statement,
// answers a return, counts a tally) must be a different person from
// whoever did the steps it checks. earlier are the account ids of those
// people, as the feature recorded them when the steps were done.
//
// The rule compares people, not the roles they hold now: a cadre who
// closed a month and was then made a supervisor (and lost the cadre role)
// passes every role check of the supervisor's step, and is still the
// person whose work that step checks.
func SecondPerson(a *Actor, earlier ...int64) error {
	if a == nil || a.UserID == 0 {
		return Errorf(EUNAUTHORIZED, "请先登录。")
	}
	for _, id := range earlier {
		if id == a.UserID {
			return Errorf(EFORBIDDEN, "复核须由另一人完成：这一步不能由完成上一步的同一人办理。")
		}
	}
	return nil
}
