using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GroundingWeb.Data.Migrations
{
    /// <inheritdoc />
    public partial class Presence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Found",
                table: "Predictions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "Presence",
                table: "Predictions",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "NoTargetAccuracy",
                table: "EvaluationRuns",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "NoTargetCount",
                table: "EvaluationRuns",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "PresenceAuroc",
                table: "EvaluationRuns",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "RejectionPrecision",
                table: "EvaluationRuns",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "TargetAccuracy",
                table: "EvaluationRuns",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Found",
                table: "EvaluationResults",
                type: "INTEGER",
                nullable: false,
                defaultValue: true); // rows from before: every sample had a target and every answer was a box

            migrationBuilder.AddColumn<bool>(
                name: "HasTarget",
                table: "EvaluationResults",
                type: "INTEGER",
                nullable: false,
                defaultValue: true); // rows from before: every sample had a target and every answer was a box

            migrationBuilder.AddColumn<double>(
                name: "Presence",
                table: "EvaluationResults",
                type: "REAL",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Found",
                table: "Predictions");

            migrationBuilder.DropColumn(
                name: "Presence",
                table: "Predictions");

            migrationBuilder.DropColumn(
                name: "NoTargetAccuracy",
                table: "EvaluationRuns");

            migrationBuilder.DropColumn(
                name: "NoTargetCount",
                table: "EvaluationRuns");

            migrationBuilder.DropColumn(
                name: "PresenceAuroc",
                table: "EvaluationRuns");

            migrationBuilder.DropColumn(
                name: "RejectionPrecision",
                table: "EvaluationRuns");

            migrationBuilder.DropColumn(
                name: "TargetAccuracy",
                table: "EvaluationRuns");

            migrationBuilder.DropColumn(
                name: "Found",
                table: "EvaluationResults");

            migrationBuilder.DropColumn(
                name: "HasTarget",
                table: "EvaluationResults");

            migrationBuilder.DropColumn(
                name: "Presence",
                table: "EvaluationResults");
        }
    }
}
