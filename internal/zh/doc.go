// Package zh holds what Mingbai needs to handle Chinese text and Chinese
// conventions exactly: money in 分 with its 大写 form for vouchers and
// statements, the official working-day calendar for answer and notice
// deadlines, the masking of phone and ID numbers and names for public
// display (个人信息保护法), and the search tokens that let the board's
// full-text search work on both SQLite and PostgreSQL without a Chinese
// word segmenter.
//
// The package imports no feature package; features build on it. See
// docs/zh.md for the rules chosen where the sources leave a choice.
package zh
