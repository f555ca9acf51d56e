import ArgumentParser

/// The two options every command takes.
struct VaultOptions: ParsableArguments {
    @Option(name: .long, help: "The vault's folder. Default: $MEMVAULT_DIR, else found from the current directory upward.")
    var vault: String?

    @Option(name: .long, help: "The user whose memories to work on. Default: $MEMVAULT_USER, else the vault's default user.", completion: VaultCompletion.users)
    var user: String?
}
