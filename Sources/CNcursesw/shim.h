#ifndef CACHEWATCH_CNCURSESW_SHIM_H
#define CACHEWATCH_CNCURSESW_SHIM_H
/* The only place cachewatch includes curses. SwiftPM drops pkg-config's
   -D_XOPEN_SOURCE, so the wide-character API is requested explicitly. */
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <langinfo.h>
#include <ncursesw/curses.h>

// MARK: - C globals Swift 6 cannot read
static inline WINDOW *cw_stdscr(void) { return stdscr; }
static inline int cw_lines(void) { return LINES; }
static inline int cw_cols(void) { return COLS; }
static inline int cw_colors(void) { return COLORS; }
static inline int cw_color_pairs(void) { return COLOR_PAIRS; }

// MARK: - Macros
static inline int cw_getmaxy(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)x; return y; }
static inline int cw_getmaxx(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)y; return x; }
static inline attr_t cw_a_normal(void) { return A_NORMAL; }
static inline attr_t cw_a_bold(void) { return A_BOLD; }
static inline attr_t cw_a_reverse(void) { return A_REVERSE; }
static inline attr_t cw_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cw_a_dim(void) { return A_DIM; }
static inline attr_t cw_color_pair(int n) { return COLOR_PAIR(n); }
static inline int cw_key_resize(void) { return KEY_RESIZE; }
static inline int cw_key_code_yes(void) { return KEY_CODE_YES; }

/// Draws one wide-character string with attributes at (y, x); returns ERR/OK.
static inline int cw_put_wstr(int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t cell;
    int status = OK;
    if (move(y, x) == ERR) return ERR;
    for (const wchar_t *p = text; *p; p++) {
        wchar_t one[2] = { *p, 0 };
        setcchar(&cell, one, attrs, pair, NULL);
        if (add_wch(&cell) == ERR) status = ERR;
    }
    return status;
}

// MARK: - Added for CachewatchTerminal
static inline int cw_key_f(int n) { return KEY_F(n); }
static inline int cw_ok(void) { return OK; }
static inline int cw_err(void) { return ERR; }

/// 1 when the current locale's codeset is UTF-8 (call after setlocale(LC_ALL, "")).
static inline int cw_codeset_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    if (!codeset) return 0;
    return (codeset[0] == 'U' || codeset[0] == 'u') && (codeset[1] == 'T' || codeset[1] == 't')
        && (codeset[2] == 'F' || codeset[2] == 'f');
}

/// Draws one cell (a base character plus up to four combining marks) at (y, x); returns OK/ERR.
static inline int cw_put_cell(int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t cell;
    wchar_t chars[CCHARW_MAX + 1];
    int n = 0;
    while (text[n] && n < CCHARW_MAX) { chars[n] = text[n]; n++; }
    chars[n] = 0;
    if (n == 0) { chars[0] = L' '; chars[1] = 0; }
    if (setcchar(&cell, chars, attrs, pair, NULL) == ERR) return ERR;
    return mvadd_wch(y, x, &cell);
}

/// Reads one key from stdscr with a timeout; returns OK (character), KEY_CODE_YES (function key) or ERR.
static inline int cw_read_key(int timeout_ms, unsigned int *out) {
    wint_t ch = 0;
    int status;
    wtimeout(stdscr, timeout_ms);
    status = wget_wch(stdscr, &ch);
    *out = (unsigned int)ch;
    return status;
}
#endif
