from leadloom.cli import main

main()
