print("memvault-bench")
