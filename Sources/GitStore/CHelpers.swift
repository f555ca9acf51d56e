import Foundation
internal import CGit2
internal import CGit2Loader

extension git_oid {
    /// The 40-digit lowercase hex form.
    var hex: String {
        withUnsafeBytes(of: id) { bytes in
            let digits = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0f)])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

/// Copies a `git_buf` into a String and disposes of it.
func consumeBuffer(_ buffer: inout git_buf) -> String {
    defer { git.git_buf_dispose(&buffer) }
    guard let pointer = buffer.ptr else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: buffer.size), as: UTF8.self)
}

/// Calls `body` with a `git_strarray` that borrows copies of `strings` for the call only.
func withStrarray<R>(_ strings: [String], _ body: (UnsafePointer<git_strarray>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return body(&array)
    }
}

/// Copies a NUL-terminated C string, or returns nil.
func string(_ pointer: UnsafePointer<CChar>?) -> String? {
    pointer.map { String(cString: $0) }
}

/// Git paths use `/`, are relative to the working directory and carry no `./` or trailing `/`.
func normalizedRelativePath(_ path: String, workdir: URL) -> String {
    var path = path
    let root = workdir.path.hasSuffix("/") ? workdir.path : workdir.path + "/"
    if path.hasPrefix(root) { path.removeFirst(root.count) }
    while path.hasPrefix("./") { path.removeFirst(2) }
    while path.hasSuffix("/") { path.removeLast() }
    return path
}
