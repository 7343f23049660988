using System.Security.Cryptography;
using System.Text;

namespace GroundingWeb.Features.Accounts;

/// <summary>
/// The one-time secret that lets the first person create the admin account. It exists only while
/// no admin exists, lives only in this process's memory and in the console line that prints it,
/// and is spent by its first successful use: there is no default password anywhere.
/// </summary>
public sealed class FirstRunSetup
{
    private readonly Lock _gate = new();
    private string? _token;

    public bool IsOpen
    {
        get { lock (_gate) return _token is not null; }
    }

    /// <summary>Creates the token if there is none yet and returns it.</summary>
    public string Open()
    {
        lock (_gate)
        {
            return _token ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        }
    }

    public bool Matches(string? candidate)
    {
        lock (_gate)
        {
            return _token is not null && candidate is not null &&
                   CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(_token), Encoding.UTF8.GetBytes(candidate));
        }
    }

    /// <summary>Takes the token if it matches, so two simultaneous posts cannot both use it.</summary>
    public bool TryClaim(string? candidate)
    {
        lock (_gate)
        {
            if (!Matches(candidate))
            {
                return false;
            }
            _token = null;
            return true;
        }
    }

    /// <summary>Puts a claimed token back after the account could not be created (a weak password, say).</summary>
    public void Restore(string token)
    {
        lock (_gate)
        {
            _token ??= token;
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            _token = null;
        }
    }
}
