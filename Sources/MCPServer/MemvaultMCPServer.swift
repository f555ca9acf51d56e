import Foundation
import MCP

/// The memvault MCP server: the tools of `ToolCatalog` and two resource templates over a
/// `MemoryService`, on any MCP transport.
public struct MemvaultMCPServer: Sendable {
    public let service: MemoryService
    public static let name = "memvault"

    public init(service: MemoryService) {
        self.service = service
    }

    /// A configured SDK server, not yet started.
    public func makeServer(version: String) async -> Server {
        let server = Server(
            name: Self.name, version: version, title: "memvault — your memories",
            instructions: ToolCatalog.instructions,
            capabilities: .init(resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        let service = self.service
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: ToolCatalog.tools)
        }
        await server.withMethodHandler(CallTool.self) { params in
            await service.call(params.name, arguments: params.arguments)
        }
        await server.withMethodHandler(ListResources.self) { params in
            do {
                return try await service.listResources(cursor: params.cursor)
            } catch let error as ToolError {
                throw MCPError.invalidParams(error.message)
            }
        }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(templates: [
                Resource.Template(
                    uriTemplate: "memvault://memory/{id}", name: "memory", title: "A memory",
                    description: "One memory as Markdown; {id} may be ID@REV for an earlier version.", mimeType: "text/markdown"),
                Resource.Template(
                    uriTemplate: "memvault://digest/{date}", name: "digest", title: "A daily digest",
                    description: "The digest of a day (YYYY-MM-DD, or today) as Markdown.", mimeType: "text/markdown"),
            ])
        }
        await server.withMethodHandler(ReadResource.self) { params in
            do {
                return ReadResource.Result(contents: [try await service.readResource(params.uri)])
            } catch let error as ToolError {
                throw MCPError.invalidParams(error.message)
            }
        }
        return server
    }

    /// Serves `transport` until the client closes it, then waits until every request received
    /// has been answered (a write in progress finishes and its response is sent).
    public func run(on transport: LineTransport, version: String) async throws {
        let server = await makeServer(version: version)
        try await server.start(transport: transport)
        Task { await service.warmUp() }
        await server.waitUntilCompleted()
        await transport.drained()
    }
}
