import Foundation
import Testing

@testable import MCPServer

@Suite("MCP server: the transport's reading of message ids")
struct MessageSkimTests {
    /// What the transport read with `JSONSerialization` before: the oracle for the skim.
    static func parsed(_ text: String) -> (requests: [String], responses: [String], cancelled: [String]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return ([], [], []) }
        let messages = (object as? [String: Any]).map { [$0] } ?? (object as? [Any])?.compactMap { $0 as? [String: Any] } ?? []
        func idText(_ id: Any?) -> String? {
            switch id {
            case let text as String: return "s:" + text
            case let number as NSNumber: return "n:" + number.stringValue
            default: return nil
            }
        }
        return (
            messages.compactMap { $0["method"] != nil ? idText($0["id"]) : nil },
            messages.compactMap { $0["method"] == nil && ($0["result"] != nil || $0["error"] != nil) ? idText($0["id"]) : nil },
            messages.compactMap {
                $0["method"] as? String == "notifications/cancelled" ? idText(($0["params"] as? [String: Any])?["requestId"]) : nil
            })
    }

    static let messages = [
        #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"memory_search","arguments":{"query":"id \"quoted\" {not a brace}","id":99}}}"#,
        #"{"id":"a\/b\u00e9","jsonrpc":"2.0","method":"ping"}"#,
        #"{"method":"tools/call","params":{"arguments":{"text":"[]{}\\\""}},"id":"x y","jsonrpc":"2.0"}"#,
        #"{"id":12,"jsonrpc":"2.0","result":{"content":[{"type":"text","text":"line\nwith \"id\":3 and \\"}],"structuredContent":{"results":[{"id":"01J","score":0.5,"line":-3,"ok":true,"n":null}]}}}"#,
        #"{"error":{"code":-32602,"message":"bad"},"id":"q","jsonrpc":"2.0"}"#,
        #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"reason":"user","requestId":12}}"#,
        #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"s-1"}}"#,
        #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        #"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"result":{}},5,{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}]"#,
        #"  {"jsonrpc" : "2.0" , "id" : 3 , "method" : "ping" , "params" : { } }  "#,
        #"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","id":[1],"result":{}}"#,
        "[]",
    ]

    @Test("requests, responses and cancellations are found as a full parse finds them", arguments: messages)
    func matchesFullParse(_ text: String) {
        let expected = Self.parsed(text)
        let data = Data(text.utf8)
        #expect(LineTransport.requestIDs(in: data) == expected.requests)
        #expect(LineTransport.responseIDs(in: data) == expected.responses)
        #expect(LineTransport.cancelledIDs(in: data) == expected.cancelled)
    }

    @Test("malformed lines give no ids", arguments: [
        "", "{", #"{"id":1,"method":"ping""#, #"{"id":1,"method":"ping"} trailing"#, #"{"id":1 "method":"ping"}"#,
        #"{"id":"unterminated}"#, "not json", #"{"id":1,"method":"ping","params":{"a":[1,2}}"#, "\"just a string\"",
    ])
    func malformed(_ text: String) {
        let data = Data(text.utf8)
        #expect(LineTransport.requestIDs(in: data).isEmpty)
        #expect(LineTransport.responseIDs(in: data).isEmpty)
        #expect(LineTransport.cancelledIDs(in: data).isEmpty)
    }

    @Test("a response of a large result is read for its id alone")
    func largeResponse() {
        let memories = (0..<2000).map { #"{"id":"\#($0)","text":"memory \#($0) with \"quotes\", {braces} and [brackets]"}"# }
        let text = #"{"id":41,"jsonrpc":"2.0","result":{"structuredContent":{"memories":[\#(memories.joined(separator: ","))]}}}"#
        #expect(LineTransport.responseIDs(in: Data(text.utf8)) == ["n:41"])
        #expect(LineTransport.requestIDs(in: Data(text.utf8)).isEmpty)
    }
}
