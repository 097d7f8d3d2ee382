from steward.cli.app import main

main()
