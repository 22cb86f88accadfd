/// One terminal cell: a grapheme (with its combining marks), its display width and its style role.
///
/// A wide character occupies two cells: the first holds the text with `width == 2`, the second is a
/// continuation cell (`width == 0`, empty text) with the same role.
public struct Cell: Equatable, Sendable {
    public var text: String
    /// 1 for normal, 2 for the first half of a wide character, 0 for its continuation.
    public var width: Int
    public var role: StyleRole

    public init(text: String, width: Int = 1, role: StyleRole = .normal) {
        self.text = text
        self.width = width
        self.role = role
    }

    /// A blank cell.
    public static func blank(_ role: StyleRole = .normal) -> Cell { Cell(text: " ", width: 1, role: role) }

    /// True for the second half of a wide character.
    public var isContinuation: Bool { width == 0 }
}
