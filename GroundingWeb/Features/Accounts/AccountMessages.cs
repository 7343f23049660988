using Microsoft.AspNetCore.DataProtection;

namespace GroundingWeb.Features.Accounts;

/// <summary>
/// The error a sign-in, setup or invitation form post sends back to its page travels in the query
/// string, sealed with Data Protection: the page shows only text this server wrote in the last few
/// minutes, never text a crafted link supplies (<c>/account/login?error=Your account is suspended, call ...</c>).
/// </summary>
public sealed class AccountMessages(IDataProtectionProvider provider)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector("GroundingWeb.Accounts.FormErrors").ToTimeLimitedDataProtector();

    public string Seal(string message) => _protector.Protect(message, Lifetime);

    /// <summary>The message, or null when the value was not sealed here, was altered, or is too old.</summary>
    public string? Open(string? sealedMessage)
    {
        if (string.IsNullOrEmpty(sealedMessage))
        {
            return null;
        }
        try
        {
            return _protector.Unprotect(sealedMessage);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
