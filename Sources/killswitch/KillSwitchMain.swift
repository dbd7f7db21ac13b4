import KillSwitchCLI

@main
enum KillSwitchMain {
    static func main() async {
        await KillSwitchCommand.main()
    }
}
