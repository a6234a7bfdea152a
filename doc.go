// Package rocketchat is a typed client for the Rocket.Chat REST API.
package rocketchat
