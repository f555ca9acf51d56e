/// The release every memvault program reports (`memvault --version`, the MCP server's
/// `serverInfo`): one place, so that the two executables never disagree.
public enum Release {
    public static let version = "0.1.0"
}
