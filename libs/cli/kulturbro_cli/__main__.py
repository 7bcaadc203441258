from kulturbro_cli.main import app

app()
