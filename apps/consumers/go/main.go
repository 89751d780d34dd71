// A TestMax consumer in Go, using only the standard library and the models quicktype generates
// from the spec's component schemas (`pnpm generate:go` writes them to ./testmax).
//
// It runs ping -> Auth/loginKey -> Account/search with the bearer -> Auth/logout against
// TESTMAX_API_URL (the spec's local server entry) and prints the result as one JSON line.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"testmax.local/consumer/testmax"
)

var client = &http.Client{Timeout: 10 * time.Second}

type result struct {
	Pinged            bool     `json:"pinged"`
	AllAccounts       []string `json:"allAccounts"`
	ActiveAccounts    []string `json:"activeAccounts"`
	LoggedOut         bool     `json:"loggedOut"`
	StatusAfterLogout int      `json:"statusAfterLogout"`
}

// call sends body (if any) as JSON and returns the status and the raw answer.
func call(method, baseURL, path, token string, body interface{ Marshal() ([]byte, error) }) (int, []byte, error) {
	var reader io.Reader
	if body != nil {
		encoded, err := body.Marshal()
		if err != nil {
			return 0, nil, err
		}
		reader = bytes.NewReader(encoded)
	}
	req, err := http.NewRequest(method, baseURL+path, reader)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(res.Body)
	return res.StatusCode, answer, err
}

func names(accounts []testmax.TradingAccount) []string {
	out := []string{}
	for _, account := range accounts {
		out = append(out, account.Name)
	}
	return out
}

func fail(step string, status int, answer []byte, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s failed: %v\n", step, err)
	} else {
		fmt.Fprintf(os.Stderr, "%s failed: HTTP %d %s\n", step, status, answer)
	}
	os.Exit(1)
}

func search(baseURL, token string, request testmax.AccountSearchRequest) testmax.AccountSearchResponse {
	status, answer, err := call("POST", baseURL, "/Account/search", token, &request)
	if err != nil || status != 200 {
		fail("Account/search", status, answer, err)
	}
	found, err := testmax.UnmarshalAccountSearchResponse(answer)
	if err != nil || !found.Success {
		fail("Account/search", status, answer, err)
	}
	return found
}

func main() {
	baseURL := os.Getenv("TESTMAX_API_URL")
	var out result

	status, answer, err := call("GET", baseURL, "/Status/ping", "", nil)
	if err != nil || status != 200 {
		fail("ping", status, answer, err)
	}
	pong, err := testmax.UnmarshalResponseEnvelope(answer)
	if err != nil || !pong.Success {
		fail("ping", status, answer, err)
	}
	out.Pinged = pong.Success

	credentials := testmax.LoginAPIKeyRequest{UserName: os.Getenv("TESTMAX_USERNAME"), APIKey: os.Getenv("TESTMAX_API_KEY")}
	status, answer, err = call("POST", baseURL, "/Auth/loginKey", "", &credentials)
	if err != nil || status != 200 {
		fail("loginKey", status, answer, err)
	}
	login, err := testmax.UnmarshalLoginResponse(answer)
	if err != nil || !login.Success || login.Token == nil {
		fail("loginKey", status, answer, err)
	}
	token := *login.Token

	// The zero value of the generated request model: its *bool field is sent as
	// {"onlyActiveAccounts": null}, which the spec takes as "not set".
	out.AllAccounts = names(search(baseURL, token, testmax.AccountSearchRequest{}).Accounts)
	active := true
	out.ActiveAccounts = names(search(baseURL, token, testmax.AccountSearchRequest{OnlyActiveAccounts: &active}).Accounts)

	status, answer, err = call("POST", baseURL, "/Auth/logout", token, &testmax.EmptyRequest{})
	if err != nil || status != 200 {
		fail("logout", status, answer, err)
	}
	bye, err := testmax.UnmarshalResponseEnvelope(answer)
	if err != nil || !bye.Success {
		fail("logout", status, answer, err)
	}
	out.LoggedOut = bye.Success

	status, _, err = call("POST", baseURL, "/Account/search", token, &testmax.AccountSearchRequest{})
	if err != nil {
		fail("Account/search after logout", status, nil, err)
	}
	out.StatusAfterLogout = status

	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}
