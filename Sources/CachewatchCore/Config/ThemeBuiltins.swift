// Generated from themes/*.toml (a test checks they stay identical): the binary works without the themes directory.
/// The shipped themes, embedded.
enum ThemeBuiltins {
    static let sources: [String: String] = [
        "dark-8": #"""
# cachewatch theme: the basic eight colours, for 8-colour terminals and old consoles.
name = "dark-8"
colors = 8

[normal]
fg = "white"
bg = "default"

[muted]
fg = "white"
attrs = ["dim"]

[accent]
fg = "cyan"

[title]
fg = "white"
attrs = ["bold"]

[border]
fg = "blue"

[border_focused]
fg = "cyan"
attrs = ["bold"]

[ok]
fg = "green"

[warn]
fg = "yellow"
attrs = ["bold"]

[crit]
fg = "red"
attrs = ["bold"]

[bar]
fg = "cyan"

[bar_empty]
fg = "blue"

[selected]
fg = "black"
bg = "cyan"

[banner]
fg = "white"
bg = "red"
attrs = ["bold"]

[header]
fg = "cyan"
attrs = ["bold"]

[key]
fg = "cyan"
attrs = ["bold"]

[value]
fg = "white"
attrs = ["bold"]
"""#,
        "default": #"""
# cachewatch theme: calm 256-colour palette (btop-like); text keeps the terminal's own foreground so light
# backgrounds stay readable.
name = "default"
colors = 256

[normal]
fg = "default"
bg = "default"

[muted]
fg = 244

[accent]
fg = 75

[title]
fg = "default"
attrs = ["bold"]

[border]
fg = 240

[border_focused]
fg = 75

[ok]
fg = 114

[warn]
fg = 221
attrs = ["bold"]

[crit]
fg = 203
attrs = ["bold"]

[bar]
fg = 110

[bar_empty]
fg = 238

[selected]
fg = 255
bg = 24
attrs = ["bold"]

[banner]
fg = 231
bg = 160
attrs = ["bold"]

[header]
fg = 109
attrs = ["bold"]

[key]
fg = 75
attrs = ["bold"]

[value]
fg = "default"
attrs = ["bold"]
"""#,
        "high-contrast": #"""
# cachewatch theme: maximum contrast on a black background (bright colours, bold states).
name = "high-contrast"
colors = 16

[normal]
fg = "bright-white"
bg = "black"

[muted]
fg = "white"
bg = "black"

[accent]
fg = "bright-cyan"
bg = "black"
attrs = ["bold"]

[title]
fg = "bright-white"
bg = "black"
attrs = ["bold", "underline"]

[border]
fg = "white"
bg = "black"

[border_focused]
fg = "bright-yellow"
bg = "black"
attrs = ["bold"]

[ok]
fg = "bright-green"
bg = "black"
attrs = ["bold"]

[warn]
fg = "black"
bg = "bright-yellow"
attrs = ["bold"]

[crit]
fg = "bright-white"
bg = "red"
attrs = ["bold"]

[bar]
fg = "bright-white"
bg = "black"

[bar_empty]
fg = "white"
bg = "black"

[selected]
fg = "black"
bg = "bright-white"
attrs = ["bold"]

[banner]
fg = "bright-white"
bg = "red"
attrs = ["bold"]

[header]
fg = "bright-yellow"
bg = "black"
attrs = ["bold"]

[key]
fg = "black"
bg = "bright-cyan"
attrs = ["bold"]

[value]
fg = "bright-white"
bg = "black"
attrs = ["bold"]
"""#,
        "monochrome": #"""
# cachewatch theme: no colours at all, only bold / reverse / underline / dim (NO_COLOR, monochrome terminals).
name = "monochrome"
colors = 0

[normal]

[muted]
attrs = ["dim"]

[accent]
attrs = ["bold"]

[title]
attrs = ["bold"]

[border]

[border_focused]
attrs = ["bold"]

[ok]

[warn]
attrs = ["bold", "underline"]

[crit]
attrs = ["bold", "reverse"]

[bar]

[bar_empty]
attrs = ["dim"]

[selected]
attrs = ["reverse"]

[banner]
attrs = ["bold", "reverse"]

[header]
attrs = ["underline"]

[key]
attrs = ["reverse"]

[value]
attrs = ["bold"]
"""#,
    ]
}
