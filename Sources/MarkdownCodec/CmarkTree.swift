internal import CCmarkGFM
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The GFM extensions every parse attaches. Registering is not thread-safe in
/// cmark-gfm, so it runs once, through Swift's lazy global initialization.
private let coreExtensionsRegistered: Bool = {
    cmark_gfm_core_extensions_ensure_registered()
    return true
}()

/// cmark-gfm's `cmark_parser_finish` adds the extensions' special inline characters
/// to one process-wide table, parses inlines, then removes them: two files finishing
/// at once could make one of them miss strikethrough or autolinks. Finishing takes
/// turns; reading lines and walking the tree still run in parallel.
private let inlineParseLock = Mutex(())

/// A top-level block of a parsed document, copied out of the C tree.
struct TopBlock {
    enum Kind: Equatable {
        case heading(level: Int)
        case htmlBlock
        /// A fenced code block whose info string starts with `age`, with its content.
        case ageBlock(literal: String)
        case other
    }
    var kind: Kind
    /// 1-based line in the parsed text.
    var startLine: Int
}

/// What `CmarkTree.parse` hands to its visitor for each top-level block.
protocol TopBlockVisitor {
    /// Called for each top-level block in document order.
    /// - Returns: whether the block's inline text, tasks and nested blocks are wanted.
    mutating func visit(_ block: TopBlock) -> Bool
    /// Text of a leaf block inside the last visited block, ready for tag scanning.
    var scanner: TagScanner { get set }
    /// A GFM task item inside the last visited block (line in the parsed text).
    mutating func task(text: String, checked: Bool, line: Int)
}

/// Parses with cmark-gfm and walks the tree once; nothing of the C tree escapes.
enum CmarkTree {
    private static let extensionNames = ["tasklist", "table", "autolink", "strikethrough"]

    /// Parses `text` as GFM and feeds its top-level blocks to `visitor`.
    /// - Complexity: O(n) in the length of `text`.
    static func parse<Visitor: TopBlockVisitor>(_ text: UnsafeBufferPointer<UInt8>, into visitor: inout Visitor) {
        precondition(coreExtensionsRegistered)
        let arena = ParseArena.current
        defer { arena.pointee.reset() }
        guard let parser = cmark_parser_new_with_mem(CMARK_OPT_DEFAULT, arena.pointee.memory) else {
            preconditionFailure("cmark-gfm: cmark_parser_new failed (out of memory)")
        }
        defer { cmark_parser_free(parser) }
        for name in extensionNames {
            guard let syntax = cmark_find_syntax_extension(name) else {
                preconditionFailure("cmark-gfm: extension '\(name)' is not registered")
            }
            guard cmark_parser_attach_syntax_extension(parser, syntax) == 1 else {
                preconditionFailure("cmark-gfm: cannot attach extension '\(name)'")
            }
        }
        if let base = text.baseAddress, text.count > 0 {
            base.withMemoryRebound(to: CChar.self, capacity: text.count) {
                cmark_parser_feed(parser, $0, text.count)
            }
        }
        // The tree is this call's alone; only the finishing step takes turns.
        nonisolated(unsafe) var finished: OpaquePointer?
        inlineParseLock.withLock { _ in finished = cmark_parser_finish(parser) }
        guard let document = finished else {
            preconditionFailure("cmark-gfm: cmark_parser_finish returned no document")
        }
        // No cmark_node_free: the tree lives in the arena, dropped whole by `arena.pointee.reset()`.

        var node = cmark_node_first_child(document)
        while let current = node {
            let block = TopBlock(kind: kind(of: current), startLine: Int(cmark_node_get_start_line(current)))
            if visitor.visit(block) { walkInlines(current, into: &visitor) }
            node = cmark_node_next(current)
        }
    }

    private static func kind(of node: OpaquePointer) -> TopBlock.Kind {
        switch cmark_node_get_type(node) {
        case CMARK_NODE_HEADING:
            return .heading(level: Int(cmark_node_get_heading_level(node)))
        case CMARK_NODE_HTML_BLOCK:
            return .htmlBlock
        case CMARK_NODE_CODE_BLOCK:
            let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
            guard info.split(whereSeparator: \.isWhitespace).first == "age" else { return .other }
            return .ageBlock(literal: cmark_node_get_literal(node).map { String(cString: $0) } ?? "")
        default:
            return .other
        }
    }

    /// Feeds the text of every leaf block under `root` to the visitor's tag scanner:
    /// text nodes as they are, line breaks as `\n`, and a separator for code spans,
    /// inline HTML and whole links or images (their text and URLs never hold tags).
    private static func walkInlines<Visitor: TopBlockVisitor>(_ root: OpaquePointer, into visitor: inout Visitor) {
        guard let iterator = cmark_iter_new(root) else {
            preconditionFailure("cmark-gfm: cmark_iter_new failed (out of memory)")
        }
        defer { cmark_iter_free(iterator) }
        var linkDepth = 0
        while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
            guard let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            let entering = event == CMARK_EVENT_ENTER
            if type.rawValue & 0xC000 == 0x8000 {  // CMARK_NODE_TYPE_MASK, CMARK_NODE_TYPE_BLOCK
                visitor.scanner.flush()
                if entering, type == CMARK_NODE_ITEM, isTaskItem(node) {
                    visitor.task(
                        text: plainText(ofItem: node), checked: cmark_gfm_extensions_get_tasklist_item_checked(node),
                        line: Int(cmark_node_get_start_line(node)))
                }
                continue
            }
            switch type {
            case CMARK_NODE_TEXT:
                if linkDepth == 0, let literal = cmark_node_get_literal(node) { append(literal, to: &visitor.scanner) }
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                visitor.scanner.buffer.append(.lineFeed)
            case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                linkDepth += entering ? 1 : -1
                visitor.scanner.buffer.append(TagScanner.separator)
            case CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE, CMARK_NODE_FOOTNOTE_REFERENCE:
                visitor.scanner.buffer.append(TagScanner.separator)
            default:
                break  // emphasis, strong, strikethrough: their text children count
            }
        }
        visitor.scanner.flush()
    }

    private static func append(_ literal: UnsafePointer<CChar>, to scanner: inout TagScanner) {
        var length = 0
        while literal[length] != 0 { length += 1 }
        literal.withMemoryRebound(to: UInt8.self, capacity: length) {
            scanner.buffer.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
        }
    }

    private static func isTaskItem(_ node: OpaquePointer) -> Bool {
        guard let name = cmark_node_get_type_string(node) else { return false }
        return String(cString: name) == "tasklist"
    }

    /// The plain text of a task item's first paragraph, blanks collapsed at the ends.
    private static func plainText(ofItem item: OpaquePointer) -> String {
        var child = cmark_node_first_child(item)
        while let current = child, cmark_node_get_type(current) != CMARK_NODE_PARAGRAPH {
            child = cmark_node_next(current)
        }
        guard let paragraph = child, let iterator = cmark_iter_new(paragraph) else { return "" }
        defer { cmark_iter_free(iterator) }
        var text = ""
        while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            switch cmark_node_get_type(node) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE:
                if let literal = cmark_node_get_literal(node) { text += String(cString: literal) }
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                text += " "
            default:
                break
            }
        }
        return text.trimmingWhitespace()
    }
}

extension String {
    /// Without leading and trailing ASCII whitespace.
    func trimmingWhitespace() -> String {
        guard let first = utf8.firstIndex(where: { !$0.isASCIIWhitespace }),
            let last = utf8.lastIndex(where: { !$0.isASCIIWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
