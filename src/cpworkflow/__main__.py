from cpworkflow.cli import main

main()
