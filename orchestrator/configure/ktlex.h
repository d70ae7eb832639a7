/*
 * The words of a Kconfig line, for ktree.c's parser: blanks, words,
 * quoted strings, a trailing "if EXPR", indentation and '#' comments.
 * Each takes the text as [p, end).
 */
#ifndef UKB_KTLEX_H
#define UKB_KTLEX_H

/* Whether c may be part of a Kconfig word (a symbol or keyword). */
int kt_is_word_char(int c);
/* p past any leading blanks. */
const char *kt_skip_blanks(const char *p, const char *end);
/* end before any trailing blanks. */
const char *kt_trim_end(const char *p, const char *end);
/* Whether [p, end) starts with the word w, followed by a non-word char. */
int kt_starts_word(const char *p, const char *end, const char *w);
/*
 * Where the trailing " if EXPR" of a default, select, imply or prompt
 * starts: the first word "if" outside quotes and $(...); end without one.
 */
const char *kt_find_if(const char *p, const char *end);
/*
 * A quoted string at *p (", ' or unquoted up to a blank), unescaped;
 * *p moves past it. The caller frees it.
 */
char *kt_take_string(const char **p, const char *end);
/* Columns of leading blanks, tabs to the next multiple of 8 (kconfig's);
 * *first is the first other character. */
int kt_indent_of(const char *p, const char *eol, const char **first);
/* Where a '#' comment outside quotes starts; end without one. */
const char *kt_comment_start(const char *p, const char *end);

#endif
