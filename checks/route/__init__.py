"""The route a message took: Received lexing and parsing, hop systems, gateways and the timeline."""
